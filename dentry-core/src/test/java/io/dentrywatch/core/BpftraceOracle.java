package io.dentrywatch.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bpftrace counting dentry allocations per cgroup id, on its own: the oracle the sampler's numbers
 * are compared with. Uses {@code kretprobe:__d_alloc} where the kernel has kprobes, else the
 * {@code kmem_cache_alloc} tracepoint filtered by cache name where the tracepoint carries it.
 */
final class BpftraceOracle implements AutoCloseable {

    private static final Pattern ENTRY = Pattern.compile("^@\\[(\\d+)\\]: (\\d+)$");
    private static final Path TRACING = Path.of("/sys/kernel/tracing");

    private final Process process;
    private final CompletableFuture<String> output;

    private BpftraceOracle(Process process, CompletableFuture<String> output) {
        this.process = process;
        this.output = output;
    }

    /** The bpftrace program that counts what the sampler counts on this kernel, if there is one. */
    static Optional<String> program() throws IOException, InterruptedException {
        if (Files.exists(DentryProbes.KPROBE_PMU)) {
            return Optional.of("kretprobe:__d_alloc /retval/ { @[cgroup] = count(); }");
        }
        mountTracefs();
        Path format = TRACING.resolve("events/kmem/kmem_cache_alloc/format");
        if (Files.exists(format) && Files.readString(format).contains(" name;")) {
            return Optional.of("tracepoint:kmem:kmem_cache_alloc /str(args->name) == \"dentry\"/ { @[cgroup] = count(); }");
        }
        return Optional.empty();
    }

    static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "bpftrace"))) {
                return true;
            }
        }
        return false;
    }

    /** Starts bpftrace and returns once its probes are attached. */
    static BpftraceOracle start(String program) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftrace", "-e", program).redirectErrorStream(true).start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream()));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("Attaching ")) {
                break;
            }
        }
        if (line == null) {
            throw new IllegalStateException("bpftrace did not attach: " + seen);
        }
        Thread.sleep(500); // "Attaching" is printed before the last probe is live
        CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
            StringBuilder out = new StringBuilder();
            try {
                String l;
                while ((l = reader.readLine()) != null) {
                    out.append(l).append('\n');
                }
            } catch (IOException e) {
                out.append(e);
            }
            return out.toString();
        });
        return new BpftraceOracle(p, rest);
    }

    /** Stops bpftrace (SIGINT makes it print its maps) and returns its count per cgroup id. */
    Map<Long, Long> stop() throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
        if (!process.waitFor(180, TimeUnit.SECONDS)) { // detaching kprobes in a loaded TCG guest takes a while
            process.destroyForcibly();
            throw new IllegalStateException("bpftrace did not exit on SIGINT");
        }
        String text = output.get(10, TimeUnit.SECONDS);
        Map<Long, Long> counts = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = ENTRY.matcher(line.strip());
            if (m.matches()) {
                counts.put(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            }
        }
        if (counts.isEmpty()) {
            throw new IllegalStateException("bpftrace printed no counts: " + text);
        }
        return counts;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private static void mountTracefs() throws IOException, InterruptedException {
        if (!Files.isDirectory(TRACING.resolve("events"))) {
            new ProcessBuilder("mount", "-t", "tracefs", "nodev", TRACING.toString()).inheritIO().start().waitFor();
        }
    }
}
