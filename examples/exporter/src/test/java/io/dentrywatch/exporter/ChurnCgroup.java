package io.dentrywatch.exporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A cgroup the test creates where the exporter's default cgroup key counts (the v1 memory hierarchy
 * on v1 and hybrid hosts, the v2 hierarchy on v2 hosts), and known dentry churn inside it: a bash
 * that moves itself in, then looks up unique missing names in a fresh directory (one allocation each).
 */
final class ChurnCgroup implements AutoCloseable {

    private final Path dir;
    private final String path;
    private final Path scratch;
    private int calls;

    private ChurnCgroup(Path dir, String path, Path scratch) {
        this.dir = dir;
        this.path = path;
        this.scratch = scratch;
    }

    static ChurnCgroup create(String name) throws IOException {
        Path hierarchy = hierarchy().orElseThrow(() -> new IllegalStateException("no cgroup hierarchy is mounted"));
        Path dir = Files.createDirectory(hierarchy.resolve(name));
        return new ChurnCgroup(dir, "/" + name, Files.createTempDirectory("dentrywatch-churn-"));
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

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(scratch)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
