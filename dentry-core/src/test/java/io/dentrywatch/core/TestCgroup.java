package io.dentrywatch.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cgroup v2 directory the test creates and removes, and known dentry churn run inside it: a bash
 * process moves itself into the cgroup, then tests {@code n} unique names that do not exist in a
 * fresh directory — one dentry allocation (a negative dentry) per lookup, nothing else.
 */
final class TestCgroup implements AutoCloseable {

    private final Path dir;
    private final String path;
    private final List<Path> scratch = new ArrayList<>();

    private TestCgroup(Path dir, String path) {
        this.dir = dir;
        this.path = path;
    }

    static TestCgroup create(Path hierarchy, String relative) throws IOException {
        Path dir = hierarchy.resolve(relative);
        Files.createDirectories(dir);
        return new TestCgroup(dir, "/" + hierarchy.relativize(dir));
    }

    /** The cgroup's id: its directory's inode. */
    long id() throws IOException {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }

    /** The path relative to the hierarchy root, as the sampler reports it. */
    String path() {
        return path;
    }

    /** Looks up {@code n} unique missing names from a process inside this cgroup and waits for it. */
    void lookupMissing(int n) throws IOException, InterruptedException {
        Path empty = Files.createTempDirectory("dentrywatch-churn");
        scratch.add(empty);
        String script = "echo $$ > " + dir.resolve("cgroup.procs")
                + " && for ((i=0;i<" + n + ";i++)); do [ -e " + empty + "/m$i ]; done; exit 0";
        run(script);
    }

    private static void run(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("churn did not finish: " + script);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            throw new IllegalStateException("churn failed (" + p.exitValue() + "): " + out);
        }
    }

    @Override
    public void close() throws IOException {
        for (Path p : scratch) {
            Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir); // rmdir of a cgroup whose processes have exited
    }
}
