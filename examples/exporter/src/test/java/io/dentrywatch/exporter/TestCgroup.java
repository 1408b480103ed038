package io.dentrywatch.exporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A cgroup the test creates where the exporter's default cgroup key counts and where the OOM watcher
 * sees a container's kills (the v1 memory hierarchy on v1 and hybrid hosts, the v2 hierarchy on v2
 * hosts), and what runs inside it: known dentry churn (a bash that moves itself in, then looks up
 * unique missing names in a fresh directory, one allocation each), or, under a memory limit, a perl
 * allocating past it until the kernel's OOM killer kills it.
 */
final class TestCgroup implements AutoCloseable {

    private final Path dir;
    private final String path;
    private final Path scratch;
    private final List<Process> processes = new ArrayList<>();
    private int calls;

    private TestCgroup(Path dir, String path, Path scratch) {
        this.dir = dir;
        this.path = path;
        this.scratch = scratch;
    }

    static TestCgroup create(String name) throws IOException {
        Path hierarchy = hierarchy().orElseThrow(() -> new IllegalStateException("no cgroup hierarchy is mounted"));
        Path dir = Files.createDirectory(hierarchy.resolve(name));
        return new TestCgroup(dir, "/" + name, Files.createTempDirectory("dentrywatch-churn-"));
    }

    /**
     * A cgroup whose memory, swap included, is limited to {@code bytes}: {@code memory.limit_in_bytes} in
     * a v1 memory hierarchy, {@code memory.max} in v2 (the memory controller enabled for the root's children).
     */
    static TestCgroup createWithMemoryLimit(String name, long bytes) throws IOException {
        Path hierarchy = hierarchy().orElseThrow(() -> new IllegalStateException("no cgroup hierarchy is mounted"));
        Path subtreeControl = hierarchy.resolve("cgroup.subtree_control"); // v2 only
        if (Files.exists(subtreeControl) && !Files.readString(subtreeControl).contains("memory")) {
            Files.writeString(subtreeControl, "+memory");
        }
        TestCgroup cgroup = create(name);
        String limit = Long.toString(bytes);
        // in this order: the kernel refuses a memory+swap limit below the memory limit
        List<Map.Entry<String, String>> settings = Files.exists(cgroup.dir.resolve("memory.limit_in_bytes"))
                ? List.of(Map.entry("memory.swappiness", "0"), Map.entry("memory.limit_in_bytes", limit),
                        Map.entry("memory.memsw.limit_in_bytes", limit))
                : List.of(Map.entry("memory.max", limit), Map.entry("memory.swap.max", "0"));
        for (Map.Entry<String, String> setting : settings) {
            Path file = cgroup.dir.resolve(setting.getKey());
            if (Files.exists(file)) { // no swap accounting, no memsw file
                Files.writeString(file, setting.getValue());
            }
        }
        return cgroup;
    }

    /** The v1 memory controller's mount point, else the cgroup2 mount point, from /proc/self/mountinfo. */
    static Optional<Path> hierarchy() throws IOException {
        Path v2 = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (dash < 0 || !f[3].equals("/")) {
                continue;
            }
            if (f[dash + 1].equals("cgroup") && java.util.Arrays.asList(f[dash + 3].split(",")).contains("memory")) {
                return Optional.of(Path.of(f[4]));
            }
            if (f[dash + 1].equals("cgroup2") && v2 == null) {
                v2 = Path.of(f[4]);
            }
        }
        return Optional.ofNullable(v2);
    }

    /** The path relative to the hierarchy: the container label the exporter gives it without Kubernetes. */
    String path() {
        return path;
    }

    /** Looks up {@code n} unique missing names inside the cgroup. */
    void lookupMissing(int n) throws IOException, InterruptedException {
        String script = "echo $$ > " + dir.resolve("cgroup.procs") + " && cd " + scratch
                + " && for ((i=0;i<" + n + ";i++)); do [ -e m" + (calls++) + "_$i ]; done; exit 0";
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("churn did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0 || !out.isBlank()) {
            throw new IllegalStateException("churn failed (" + p.exitValue() + "): " + out);
        }
    }

    /**
     * Starts perl in this cgroup allocating and touching {@code bytes} in 8 MiB strings, then sleeping: only
     * an OOM kill ends it early. Its pid is the victim's.
     */
    Process startAllocator(long bytes) throws IOException {
        return allocator(bytes, "");
    }

    /**
     * Starts perl in this cgroup, as {@link #startAllocator}, but armed: it prints {@code armed} once it is in the
     * cgroup, then allocates only when a line arrives on its standard input, so that the kill follows that
     * line by milliseconds. Returns once it is armed.
     */
    Process startArmedAllocator(long bytes) throws IOException {
        Process allocator = allocator(bytes, "$| = 1; print \"armed\\n\"; <STDIN>; ");
        String line = allocator.inputReader().readLine();
        if (!"armed".equals(line)) {
            throw new IllegalStateException("the allocator did not arm: " + line);
        }
        return allocator;
    }

    private Process allocator(long bytes, String before) throws IOException {
        long chunk = 8L << 20;
        String script = "echo $$ > " + dir.resolve("cgroup.procs") + " && exec perl -e '" + before + "my @a; push @a, \"x\" x "
                + chunk + " for 1.." + (bytes + chunk - 1) / chunk + "; sleep 120'";
        Process allocator = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        processes.add(allocator);
        return allocator;
    }

    /** The kernel's own count of OOM kills here: {@code oom_kill} in memory.oom_control (v1) or memory.events (v2). */
    long kernelOomKills() throws IOException {
        Path file = Files.exists(dir.resolve("memory.oom_control")) ? dir.resolve("memory.oom_control")
                : dir.resolve("memory.events");
        return Files.readAllLines(file).stream().filter(line -> line.startsWith("oom_kill ")).findFirst()
                .map(line -> Long.parseLong(line.substring("oom_kill ".length()).strip()))
                .orElseThrow(() -> new IllegalStateException(file + " has no oom_kill line"));
    }

    @Override
    public void close() throws IOException {
        for (Process p : processes) {
            p.destroyForcibly();
            try {
                p.waitFor(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping " + p.pid(), e);
            }
        }
        try (Stream<Path> files = Files.walk(scratch)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        deleteWhenEmpty();
    }

    /** A killed process leaves its cgroup a moment after it is reaped: retries for up to 5 s. */
    private void deleteWhenEmpty() throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (attempt == 100) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
