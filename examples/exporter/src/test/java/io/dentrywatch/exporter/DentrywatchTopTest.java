package io.dentrywatch.exporter;

import com.sun.net.httpserver.HttpServer;
import io.dentrywatch.cgroup.PathContainerResolver;
import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.core.CgroupKey;
import io.dentrywatch.core.CgroupNegativeSources;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentryReclaim;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.DirectorySource;
import io.dentrywatch.core.NegativeSources;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/dentrywatch-top.sh as a person sees it: run in a tmux pane of 120 × 20 against a {@code /sources}
 * endpoint whose sampler makes a container's directory grow by 500 negative dentries a reading, the screen
 * read with {@code tmux capture-pane}; {@code q} quits. No privileges needed.
 */
class DentrywatchTopTest {

    private static final Path SCRIPT = DeployFiles.dir().resolve("../scripts/dentrywatch-top.sh").normalize();
    private final String socket = "dentrywatch-top-test-" + ProcessHandle.current().pid();
    private HttpServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop(0);
        }
        run("tmux", "-L", socket, "kill-server");
    }

    @Test
    void showsTheFastestDirectoryFirstAndQuitsOnQ() throws Exception {
        Preconditions.tool("tmux", "tmux");
        Preconditions.tool("curl", "curl");
        AtomicLong reads = new AtomicLong();
        RecentSamples samples = new RecentSamples(() -> sample(reads.incrementAndGet()));
        SourcesEndpoint endpoint = new SourcesEndpoint("node-7");
        endpoint.serve(samples, new PathContainerResolver(), Duration.ofMillis(500));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", new HttpRoutes(new Health(), endpoint));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();

        assertEquals(0, run("tmux", "-L", socket, "new-session", "-d", "-s", "top", "-x", "120", "-y", "20",
                "TERM=xterm-256color " + SCRIPT + " -n 1 -u " + url));
        List<String> screen = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            screen = capture();
            // a rate needs two readings a second apart: wait until one is shown, on a whole screen (status line drawn)
            if (screen.stream().anyMatch(l -> l.contains("/cache/alpha") && !l.trim().startsWith("0.0"))
                    && screen.getLast().contains("q: quit")) {
                break;
            }
            Thread.sleep(250);
        }
        String text = String.join("\n", screen);
        System.out.println("dentrywatch-top.sh in tmux:\n" + text);
        assertTrue(screen.getFirst().startsWith("dentrywatch negative dentry sources: node node-7, fentry mode, "), text);
        assertTrue(screen.get(1).contains("negative dentries/s from the sources below (rates over the last"), text);
        int header = index(screen, "NEG/S");
        assertTrue(header > 0 && screen.get(header).contains("CONTAINER") && screen.get(header).contains("DIRECTORY"), text);
        int alpha = index(screen, "ext4:.../srv/cache/alpha");
        int beta = index(screen, "ext4:/var/lib/beta");
        assertTrue(alpha > header && beta > alpha, "the growing directory first:\n" + text);
        String row = screen.get(alpha);
        assertTrue(row.contains("  app.service  "), "the container, as the resolver names it: " + row);
        double rate = Double.parseDouble(row.trim().split("\\s+")[0]);
        assertTrue(rate > 100, "alpha grows by 500 a reading, readings 0.5-1 s apart: " + row);
        assertTrue(screen.get(beta).trim().startsWith("0.0"), "beta stands still: " + screen.get(beta));
        assertTrue(screen.stream().anyMatch(l -> l.contains("q: quit")), text);
        assertTrue(screen.stream().allMatch(l -> l.length() <= 120), "cut to the terminal's width");

        run("tmux", "-L", socket, "send-keys", "-t", "top", "q");
        long quit = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < quit && run("tmux", "-L", socket, "has-session", "-t", "top") == 0) {
            Thread.sleep(100);
        }
        assertFalse(run("tmux", "-L", socket, "has-session", "-t", "top") == 0, "q quits");
    }

    @Test
    void saysWhyInTracepointMode() throws Exception {
        Preconditions.tool("curl", "curl");
        RecentSamples samples = new RecentSamples(() -> withSources(1,
                NegativeSources.unavailable("tracepoint mode has no dentry hooks"), AttachMode.TRACEPOINT));
        SourcesEndpoint endpoint = new SourcesEndpoint("node-7");
        endpoint.serve(samples, new PathContainerResolver(), Duration.ofSeconds(1));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", new HttpRoutes(new Health(), endpoint));
        server.start();
        Process p = new ProcessBuilder(SCRIPT.toString(), "-1", "-u", "http://127.0.0.1:" + server.getAddress().getPort())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertTrue(out.contains("negative sources are unavailable: tracepoint mode has no dentry hooks"), out);
    }

    private static DentrySample sample(long read) {
        NegativeSources sources = new NegativeSources(Optional.empty(), List.of(
                new CgroupNegativeSources(7001, "/shop.slice/app.service", List.of(
                        new DirectorySource("ext4:.../srv/cache/alpha", "ext4", "vda1", 500 * read, 0),
                        new DirectorySource("ext4:/var/lib/beta", "ext4", "vda1", 1_000_000, 250_000)), 12)),
                3, 3, 3);
        return withSources(read, sources, AttachMode.FENTRY);
    }

    private static DentrySample withSources(long read, NegativeSources sources, AttachMode mode) {
        SamplerInfo info = new SamplerInfo(mode, "6.1.0-57-amd64", "v2", CgroupKey.V2, "0.1.0", List.of());
        return new DentrySample(Instant.now(), info, EnumSet.allOf(DentryCounter.class),
                new NodeDentryState(1000, 100, OptionalLong.of(10)),
                List.of(new CgroupDentryCounts(7001, "/shop.slice/app.service", read, 0, 0, 0, 0)), 0, DentryReclaim.NONE,
                0, Duration.ZERO, 0, sources);
    }

    private List<String> capture() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tmux", "-L", socket, "capture-pane", "-p", "-t", "top").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        List<String> lines = new ArrayList<>(out.lines().toList());
        while (!lines.isEmpty() && lines.getLast().isBlank()) {
            lines.removeLast();
        }
        return lines;
    }

    private static int index(List<String> screen, String text) {
        for (int i = 0; i < screen.size(); i++) {
            if (screen.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
