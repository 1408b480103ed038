package io.dentrywatch.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A cgroup directory the test creates (in the v2 hierarchy or a v1 one) and removes, and known
 * dentry churn run inside it by one bash process that first moves itself into the cgroup. Churn
 * happens in a fresh scratch directory, so every name is new to the dentry cache.
 */
public final class TestCgroup implements AutoCloseable {

    private final Path dir;
    private final String path;
    private final Path scratch;
    private int calls;

    private TestCgroup(Path dir, String path, Path scratch) {
        this.dir = dir;
        this.path = path;
        this.scratch = scratch;
    }

    public static TestCgroup create(Path hierarchy, String relative) throws IOException {
        Path dir = hierarchy.resolve(relative);
        Files.createDirectories(dir);
        return new TestCgroup(dir, "/" + hierarchy.relativize(dir), Files.createTempDirectory("dentrywatch-churn"));
    }

    /** The cgroup's id: its directory's inode. */
    public long id() throws IOException {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }

    /** The path relative to the hierarchy root, as the sampler reports it. */
    public String path() {
        return path;
    }

    public Path dir() {
        return dir;
    }

    /** The directory the churn runs in: under TMPDIR, a disk file system in the VM matrix and on this host. */
    public Path scratch() {
        return scratch;
    }

    /** Looks up {@code n} unique missing names: one allocation and one negative dentry each. */
    public void lookupMissing(int n) throws IOException, InterruptedException {
        run("for ((i=0;i<" + n + ";i++)); do [ -e m" + (calls++) + "_$i ]; done");
    }

    /**
     * Creates {@code files} files (each a lookup miss, then made positive), looks up {@code missing}
     * missing names, then unlinks the first {@code unlinked} files with one {@code rm}.
     */
    public void lifecycle(int files, int missing, int unlinked) throws IOException, InterruptedException {
        run("for ((i=0;i<" + files + ";i++)); do : > f$i; done;"
                + " for ((i=0;i<" + missing + ";i++)); do [ -e m$i ]; done;"
                + (unlinked > 0 ? " rm -f $(for ((i=0;i<" + unlinked + ";i++)); do echo f$i; done)" : ""));
    }

    /** Runs a bash script inside this cgroup, in the scratch directory. */
    public void run(String script) throws IOException, InterruptedException {
        String full = "echo $$ > " + dir.resolve("cgroup.procs") + " && cd " + scratch + " && " + script + "; exit 0";
        Process p = new ProcessBuilder("bash", "-c", full).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("churn did not finish: " + script);
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
        Files.deleteIfExists(dir); // rmdir of a cgroup whose processes have exited
    }
}
