package io.dentrywatch.core;

import io.dentrywatch.internal.host.Host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bpftrace counting dentry allocations per cgroup id, on its own: the oracle the sampler's numbers
 * are compared with. Uses {@code kretprobe:__d_alloc} where the kernel has kprobes, else the
 * {@code kmem_cache_alloc} tracepoint filtered by cache name where the tracepoint carries it.
 */
public final class BpftraceOracle implements AutoCloseable {

    private static final Pattern ENTRY = Pattern.compile("^@\\[(\\d+)\\]: (\\d+)$");
    private static final Path TRACING = Path.of("/sys/kernel/tracing");

    /** Printed around each periodic dump of the map, so a complete dump can be told from a partial one. */
    private static final String DUMP = "--dump";
    private static final String END = "--end";
    private static final String DUMPS = " interval:ms:500 { printf(\"" + DUMP + "\\n\"); print(@); printf(\"" + END + "\\n\"); }";

    private final Process process;
    private final List<String> lines;

    private BpftraceOracle(Process process, List<String> lines) {
        this.process = process;
        this.lines = lines;
    }

    /** The bpftrace program that counts what the sampler counts on this kernel, if there is one. */
    public static Optional<String> program() throws IOException, InterruptedException {
        if (Files.exists(Host.KPROBE_PMU)) {
            return Optional.of("kretprobe:__d_alloc /retval/ { @[cgroup] = count(); }");
        }
        mountTracefs();
        Path format = TRACING.resolve("events/kmem/kmem_cache_alloc/format");
        if (Files.exists(format) && Files.readString(format).contains(" name;")) {
            return Optional.of("tracepoint:kmem:kmem_cache_alloc /str(args->name) == \"dentry\"/ { @[cgroup] = count(); }");
        }
        return Optional.empty();
    }

    public static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "bpftrace"))) {
                return true;
            }
        }
        return false;
    }

    /** Starts bpftrace (the program plus a dump of its map every 500 ms) and returns once its probes are attached. */
    public static BpftraceOracle start(String program) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftrace", "-e", program + DUMPS).redirectErrorStream(true).start();
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
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread pump = new Thread(() -> {
            try {
                for (String l; (l = reader.readLine()) != null; ) {
                    lines.add(l.strip());
                }
            } catch (IOException e) {
                lines.add("read failed: " + e);
            }
        }, "bpftrace-output");
        pump.setDaemon(true);
        pump.start();
        return new BpftraceOracle(p, lines);
    }

    /**
     * The count per cgroup id from the first complete dump that starts after this call, then kills
     * bpftrace: its exit (detaching kretprobes) can take minutes in a TCG guest, its dump does not.
     */
    public Map<Long, Long> stop() throws Exception {
        int from = lines.size();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            Optional<Map<Long, Long>> dump = completeDumpAfter(from);
            if (dump.isPresent()) {
                process.destroyForcibly();
                if (dump.get().isEmpty()) {
                    throw new IllegalStateException("bpftrace printed no counts: " + lines);
                }
                return dump.get();
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("bpftrace exited: " + lines);
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("bpftrace printed no complete dump within 2 minutes: " + lines);
    }

    private Optional<Map<Long, Long>> completeDumpAfter(int from) {
        List<String> seen;
        synchronized (lines) {
            seen = List.copyOf(lines.subList(from, lines.size()));
        }
        int start = seen.indexOf(DUMP);
        if (start < 0) {
            return Optional.empty();
        }
        Map<Long, Long> counts = new HashMap<>();
        for (String line : seen.subList(start + 1, seen.size())) {
            if (line.equals(END)) {
                return Optional.of(counts);
            }
            Matcher m = ENTRY.matcher(line);
            if (m.matches()) {
                counts.put(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            }
        }
        return Optional.empty();
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
