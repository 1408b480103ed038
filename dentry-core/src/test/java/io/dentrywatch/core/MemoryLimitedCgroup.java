package io.dentrywatch.core;

import io.dentrywatch.internal.host.CgroupMounts;
import io.dentrywatch.internal.host.ProcFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A memory cgroup with a limit, made for OOM tests: in the v1 memory hierarchy where the host has one
 * (v1 and hybrid hosts, {@code memory.limit_in_bytes}), else in the v2 hierarchy ({@code memory.max},
 * the memory controller enabled in the root's {@code cgroup.subtree_control}). No swap either way, so
 * going over the limit means an OOM kill.
 */
public final class MemoryLimitedCgroup implements AutoCloseable {

    private final Path hierarchy;
    private final Path dir;
    private final boolean v1;
    private final List<Process> processes = new ArrayList<>();

    private MemoryLimitedCgroup(Path hierarchy, Path dir, boolean v1) {
        this.hierarchy = hierarchy;
        this.dir = dir;
        this.v1 = v1;
    }

    /** A cgroup with a limit of {@code limitBytes}, or without a limit if {@code limitBytes} is negative. */
    public static MemoryLimitedCgroup create(long limitBytes) throws IOException {
        CgroupMounts mounts = CgroupMounts.parse(ProcFiles.read(Path.of("/proc/self/mountinfo")), Path.of("/proc/self/mountinfo"));
        String name = "dentrywatch-oom-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        if (mounts.memory().isPresent()) {
            Path root = mounts.memory().get();
            KernelTestSupport.require(Files.isWritable(root), root + " is not writable");
            Path dir = Files.createDirectory(root.resolve(name));
            MemoryLimitedCgroup cgroup = new MemoryLimitedCgroup(root, dir, true);
            write(dir.resolve("memory.swappiness"), "0");
            if (limitBytes < 0) {
                return cgroup;
            }
            write(dir.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
            if (Files.exists(dir.resolve("memory.memsw.limit_in_bytes"))) {
                write(dir.resolve("memory.memsw.limit_in_bytes"), Long.toString(limitBytes));
            }
            return cgroup;
        }
        KernelTestSupport.require(mounts.unified().isPresent(), "neither a v1 memory hierarchy nor cgroup2 is mounted");
        Path root = mounts.unified().get();
        KernelTestSupport.require(ProcFiles.read(root.resolve("cgroup.controllers")).contains("memory"),
                "the memory controller is not available in " + root);
        if (!ProcFiles.read(root.resolve("cgroup.subtree_control")).contains("memory")) {
            write(root.resolve("cgroup.subtree_control"), "+memory");
        }
        Path dir = Files.createDirectory(root.resolve(name));
        MemoryLimitedCgroup cgroup = new MemoryLimitedCgroup(root, dir, false);
        if (limitBytes < 0) {
            return cgroup;
        }
        write(dir.resolve("memory.max"), Long.toString(limitBytes));
        if (Files.exists(dir.resolve("memory.swap.max"))) {
            write(dir.resolve("memory.swap.max"), "0");
        }
        return cgroup;
    }

    /** Whether this is a v1 memory cgroup (else a v2 cgroup). */
    public boolean v1() {
        return v1;
    }

    /** The cgroup id: its directory's inode. */
    public long id() throws IOException {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }

    /** The path relative to the hierarchy root, as the watcher reports it. */
    public String path() {
        return "/" + hierarchy.relativize(dir);
    }

    /**
     * Starts a process that moves itself into this cgroup, sets its oom_score_adj and then becomes
     * perl allocating (and touching) {@code bytes} in 8 MiB strings (so the kernel's overcommit check
     * never refuses an allocation, even past the machine's memory); it sleeps afterwards, so only an
     * OOM kill ends it early. The process's pid is the victim's pid.
     */
    public Process startAllocator(long bytes, int oomScoreAdj) throws IOException {
        long chunk = 8L << 20;
        String script = "echo $$ > " + dir.resolve("cgroup.procs")
                + " && echo " + oomScoreAdj + " > /proc/self/oom_score_adj"
                + " && exec perl -e 'my @a; push @a, \"x\" x " + chunk + " for 1.." + (bytes + chunk - 1) / chunk
                + "; sleep 120'";
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        return p;
    }

    /** The kernel's own count of OOM kills in this cgroup: {@code oom_kill} of memory.oom_control (v1) or memory.events (v2). */
    public long kernelOomKills() {
        String file = v1 ? "memory.oom_control" : "memory.events";
        for (String line : ProcFiles.read(dir.resolve(file)).split("\n")) {
            if (line.startsWith("oom_kill ")) {
                return Long.parseLong(line.substring("oom_kill ".length()).strip());
            }
        }
        throw new IllegalStateException(dir.resolve(file) + " has no oom_kill line");
    }

    @Override
    public void close() throws IOException {
        try {
            for (Process p : processes) {
                p.destroyForcibly();
                p.waitFor(1, TimeUnit.MINUTES);
            }
            // a killed process leaves its cgroup a moment after it is reaped
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.deleteIfExists(dir);
                    return;
                } catch (IOException e) {
                    if (attempt == 100) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while removing " + dir, e);
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }
}
