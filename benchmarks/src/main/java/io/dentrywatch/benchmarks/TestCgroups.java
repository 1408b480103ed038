package io.dentrywatch.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real cgroups for the sample benchmark: {@code count} children of a fresh parent in the cgroup2
 * hierarchy, each made to allocate dentries once by the churn helper (which joins each in turn and
 * looks up missing names there), then removed.
 */
final class TestCgroups implements AutoCloseable {

    static final Path UNIFIED = findUnified();

    private final Path parent;
    private final List<Path> children;

    private TestCgroups(Path parent, List<Path> children) {
        this.parent = parent;
        this.children = children;
    }

    static TestCgroups create(String name, int count) {
        Path parent = UNIFIED.resolve(name + "-" + ProcessHandle.current().pid());
        List<Path> children = new ArrayList<>(count);
        try {
            Files.createDirectory(parent);
            for (int i = 0; i < count; i++) {
                children.add(Files.createDirectory(parent.resolve(String.format("cg-%04d", i))));
            }
        } catch (IOException e) {
            new TestCgroups(parent, children).close();
            throw new UncheckedIOException("creating cgroups under " + parent + " (root and a cgroup2 mount needed)", e);
        }
        return new TestCgroups(parent, children);
    }

    /** The hierarchy path of the parent, as the sampler reports it ({@code /name-pid}). */
    String relativeParent() {
        return "/" + UNIFIED.relativize(parent);
    }

    int size() {
        return children.size();
    }

    /** Each cgroup in turn does {@code lookups} lookups of missing names (each allocates a dentry). */
    void visit(int lookups) {
        Path list = null;
        Path dir = null;
        try {
            list = Files.createTempFile("dwbench-cgroups", ".txt");
            dir = Files.createTempDirectory(Path.of("/dev/shm"), "dwbench-visit");
            Files.write(list, children.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(Natives.binary("churn").toString(), "visit", list.toString(), dir.toString(),
                    Integer.toString(lookups)).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("churn visit failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            try {
                if (list != null) {
                    Files.deleteIfExists(list);
                }
                if (dir != null) {
                    Files.deleteIfExists(dir);
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Removes the cgroups (empty once the helper has exited); retries while the kernel lets go. */
    @Override
    public void close() {
        for (int attempt = 0; attempt < 20; attempt++) {
            boolean all = true;
            for (Path child : children) {
                all &= deleteDir(child);
            }
            if (all && deleteDir(parent)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        System.err.println("could not remove every cgroup under " + parent);
    }

    private static boolean deleteDir(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path findUnified() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.map(l -> l.split(" "))
                    .filter(f -> {
                        int dash = List.of(f).indexOf("-");
                        return dash > 0 && f[dash + 1].equals("cgroup2");
                    })
                    .map(f -> Path.of(f[4])).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no cgroup2 mount"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
