package io.dentrywatch.oom;

import io.dentrywatch.core.KernelObjects;
import io.dentrywatch.core.KernelTestSupport;
import io.dentrywatch.core.MemoryLimitedCgroup;
import io.dentrywatch.internal.host.Capabilities;
import io.dentrywatch.internal.host.KernelRelease;
import io.dentrywatch.internal.host.ProcFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The OOM watcher against the running kernel: real memory cgroups with a 64 MiB limit, processes that
 * allocate past it, and the kernel's own accounts (the cgroup's {@code oom_kill} counter and the
 * {@code Killed process} line in the kernel log) as the oracles. Uses the v1 memory hierarchy on v1
 * and hybrid hosts, v2 with {@code memory.max} on v2 hosts (the VM matrix).
 */
@Tag("kernel")
class OomWatcherKernelTest {

    private static final long LIMIT = 64L << 20;
    private static final long ALLOCATION = 256L << 20;
    private static final int SIGKILL_EXIT = 128 + 9;
    private static final Duration DEADLINE = Duration.ofMinutes(2);
    /** A TCG guest ran out of memory in 33-82 s in the matrix, and in 127 s once while the host was busy. */
    private static final Duration GLOBAL_OOM_DEADLINE = Duration.ofMinutes(5);
    /** Set by the VM matrix: its guests may run out of memory. */
    static final String GLOBAL_OOM_PROPERTY = "dentrywatch.test.globalOom";
    /** {@code enum bpf_map_type}: the event maps of the two transports. */
    private static final int BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
    private static final int BPF_MAP_TYPE_RINGBUF = 27;

    /** Where a procfs that says the kernel is older is laid out (see {@link #watcher}). */
    @TempDir
    Path olderKernelProc;

    @BeforeEach
    void preconditions() {
        Capabilities caps = Capabilities.parseStatus(ProcFiles.read(Path.of("/proc/self/status")), Path.of("/proc/self/status"));
        KernelTestSupport.require(caps.canTrace(), "OOM tests need root (CAP_BPF, CAP_PERFMON, and to make cgroups)");
        KernelTestSupport.require(Files.isExecutable(Path.of("/usr/bin/perl")), "perl is not installed");
    }

    @ParameterizedTest
    @EnumSource(value = OomTransport.class, names = {"RING_BUFFER", "PERF_BUFFER"})
    void reportsOneKillWithTheVictimsCgroupPidAndMemory(OomTransport transport) throws Exception {
        if (transport == OomTransport.RING_BUFFER) {
            KernelRelease kernel = KernelRelease.parse(ProcFiles.read(Path.of("/proc/sys/kernel/osrelease")));
            KernelTestSupport.require(kernel.atLeast(5, 8), "the BPF ring buffer needs kernel 5.8+, this is " + kernel);
        }
        List<OomKill> heard = new CopyOnWriteArrayList<>();
        try (MemoryLimitedCgroup cgroup = MemoryLimitedCgroup.create(LIMIT);
             OomWatcher watcher = watcher(transport).listener(heard::add).build()) {
            assertEquals(transport, transportHeld());
            assertEquals(List.of(), watcher.degraded());
            long id = cgroup.id();
            Process victim = cgroup.startAllocator(ALLOCATION, 321);
            assertTrue(victim.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the allocator ended");
            assertEquals(SIGKILL_EXIT, victim.exitValue(), "the allocator was SIGKILLed");
            Instant killedBy = Instant.now();
            assertEquals(1, cgroup.kernelOomKills(), "the kernel counted one OOM kill in " + cgroup.path());

            awaitEverythingHandled(() -> ofCgroup(heard, id).size() >= 1);
            List<OomKill> kills = ofCgroup(heard, id);
            assertEquals(1, kills.size(), "kills reported for " + cgroup.path() + ": " + kills);
            OomKill kill = kills.get(0);
            assertEquals(cgroup.path(), kill.cgroupPath());
            assertEquals(victim.pid(), kill.pid(), "the victim's pid");
            assertEquals(victim.pid(), kill.tid(), "perl has one thread");
            assertEquals("perl", kill.comm());
            assertEquals(321, kill.oomScoreAdj());
            assertEquals(OomScope.MEMORY_CGROUP, kill.scope());
            assertTrue(!kill.time().isAfter(killedBy) && kill.time().isAfter(killedBy.minus(DEADLINE)), kill.time().toString());
            long anon = kill.bytes(MemoryType.ANON_RSS).orElseThrow();
            assertTrue(anon > LIMIT / 2 && anon <= LIMIT, "anon_rss of a victim at a 64 MiB limit: " + anon);
            assertEquals(Set.of(MemoryType.values()), kill.memory().keySet(), "every memory type is known on this kernel");
            assertTrue(kill.bytes(MemoryType.TOTAL_VM).orElseThrow() > anon, "the address space holds what is resident");

            // the kernel's own report of the same kill
            KernelLog.Kill logged = KernelLog.lastKill(Math.toIntExact(victim.pid()))
                    .orElseThrow(() -> new AssertionError("no 'Killed process " + victim.pid() + "' in dmesg"));
            assertTrue(logged.memoryCgroup(), "the kernel says: memory cgroup out of memory");
            assertEquals("perl", logged.comm());
            assertEquals(logged.totalVmKb() * 1024, kill.bytes(MemoryType.TOTAL_VM).orElseThrow(), "total_vm as the kernel logged it");
            assertEquals(logged.anonRssKb() * 1024, anon, 256 * 1024, "anon_rss as the kernel logged it");
            assertEquals(logged.shmemRssKb() * 1024, kill.bytes(MemoryType.SHMEM_RSS).orElseThrow(), 256 * 1024);

            OomStats stats = watcher.stats();
            OomCgroupStats ofThis = stats.cgroups().stream().filter(c -> c.cgroupId() == id).findFirst().orElseThrow();
            assertEquals(1, ofThis.kills());
            assertEquals(cgroup.path(), ofThis.cgroupPath());
            assertEquals(kill, ofThis.lastKill());
            assertTrue(stats.kills() >= 1, "the node total includes this kill");
            assertEquals(0, stats.lostEvents());
        }
    }

    @Test
    void countsABurstOfKillsInOneCgroupExactly() throws Exception {
        int processes = 4;
        List<OomKill> heard = new CopyOnWriteArrayList<>();
        try (MemoryLimitedCgroup cgroup = MemoryLimitedCgroup.create(LIMIT);
             OomWatcher watcher = OomWatcher.builder()
                     .listener(kill -> {
                         throw new IllegalStateException("a listener that always fails");
                     })
                     .listener(heard::add)
                     .build()) {
            long id = cgroup.id();
            List<Process> started = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                started.add(cgroup.startAllocator(ALLOCATION, 0));
            }
            for (Process p : started) {
                assertTrue(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "allocator " + p.pid() + " ended");
                assertEquals(SIGKILL_EXIT, p.exitValue(), "allocator " + p.pid() + " was SIGKILLed");
            }
            assertEquals(processes, cgroup.kernelOomKills(), "the kernel's count");

            awaitEverythingHandled(() -> ofCgroup(heard, id).size() >= processes);
            List<OomKill> kills = ofCgroup(heard, id);
            // each victim once: the killer's own task (the invoker) is often another of them
            assertEquals(started.stream().map(Process::pid).collect(Collectors.toSet()),
                    kills.stream().map(k -> (long) k.pid()).collect(Collectors.toSet()), "victims");
            assertEquals(processes, kills.size(), "kills reported: " + kills);
            OomCgroupStats ofThis = watcher.stats().cgroups().stream().filter(c -> c.cgroupId() == id).findFirst().orElseThrow();
            assertEquals(processes, ofThis.kills());
            assertEquals(kills.get(processes - 1), ofThis.lastKill());
            assertEquals(0, watcher.stats().lostEvents());
        }
    }

    /**
     * Runs the machine out of memory, so it is tagged {@code vm-only}: Maven's test run leaves it out
     * (surefire's excludedGroups), the VM matrix runs it in its disposable guests and sets
     * {@value #GLOBAL_OOM_PROPERTY} to say so. The test JVM protects itself with oom_score_adj -1000
     * and offers the allocator with 1000.
     */
    @Test
    @Tag("vm-only")
    void reportsAMachineWideOomAsGlobal() throws Exception {
        KernelTestSupport.require(Boolean.getBoolean(GLOBAL_OOM_PROPERTY),
                "destructive (exhausts the machine's memory): only in a disposable VM, with -D" + GLOBAL_OOM_PROPERTY + "=true");
        Files.writeString(Path.of("/proc/self/oom_score_adj"), "-1000");
        long memTotal = memTotalBytes();
        List<OomKill> heard = new CopyOnWriteArrayList<>();
        try (MemoryLimitedCgroup cgroup = MemoryLimitedCgroup.create(-1);
             OomWatcher watcher = OomWatcher.builder().listener(heard::add).build()) {
            long id = cgroup.id();
            Process victim = cgroup.startAllocator(memTotal + (256L << 20), 1000);
            assertTrue(victim.waitFor(GLOBAL_OOM_DEADLINE.toSeconds(), TimeUnit.SECONDS), "the allocator ended");
            assertEquals(SIGKILL_EXIT, victim.exitValue(), "the allocator was SIGKILLed");

            awaitEverythingHandled(() -> ofCgroup(heard, id).size() >= 1);
            List<OomKill> kills = ofCgroup(heard, id);
            assertEquals(1, kills.size(), "kills reported for " + cgroup.path() + ": " + kills);
            OomKill kill = kills.get(0);
            assertEquals(victim.pid(), kill.pid());
            assertEquals(cgroup.path(), kill.cgroupPath());
            assertEquals(1000, kill.oomScoreAdj());
            KernelLog.Kill logged = KernelLog.lastKill(Math.toIntExact(victim.pid()))
                    .orElseThrow(() -> new AssertionError("no 'Killed process " + victim.pid() + "' in dmesg"));
            assertFalse(logged.memoryCgroup(), "the kernel says: out of memory (not a memory cgroup)");
            assertEquals(OomScope.GLOBAL, kill.scope());
            assertEquals(logged.anonRssKb() * 1024, kill.bytes(MemoryType.ANON_RSS).orElseThrow(), 1 << 20);
        }
    }

    private static long memTotalBytes() {
        for (String line : ProcFiles.read(Path.of("/proc/meminfo")).split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("/proc/meminfo has no MemTotal");
    }

    @ParameterizedTest
    @EnumSource(value = OomTransport.class, names = {"RING_BUFFER", "PERF_BUFFER"})
    void closingLeavesNothingBehind(OomTransport transport) throws Exception {
        if (transport == OomTransport.RING_BUFFER) {
            KernelRelease kernel = KernelRelease.parse(ProcFiles.read(Path.of("/proc/sys/kernel/osrelease")));
            KernelTestSupport.require(kernel.atLeast(5, 8), "the BPF ring buffer needs kernel 5.8+, this is " + kernel);
        }
        List<String> fdsBefore = anonymousFds();
        Set<Integer> ours = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            OomWatcher watcher = watcher(transport).build();
            assertEquals(transport, transportHeld());
            Set<Integer> loaded = KernelObjects.programIdsHeldByThisProcess();
            assertEquals(4, loaded.size(), "an open watcher holds its four programs: " + loaded);
            ours.addAll(loaded);
            assertTrue(threadRunning("dentrywatch-oom"), "the polling thread runs");
            watcher.close();
            watcher.close(); // idempotent
            assertFalse(threadRunning("dentrywatch-oom"), "the polling thread has stopped");
            assertEquals(0, watcher.stats().lostEvents(), "stats are served after close");
        }
        assertEquals(List.of(), KernelObjects.bpfFds(), "BPF file descriptors left open");
        assertEquals(fdsBefore, anonymousFds(), "perf event and epoll file descriptors left open");
        Set<Integer> stillLoaded = Set.of();
        for (int attempt = 0; attempt < 50; attempt++) { // programs are freed after an RCU grace period
            stillLoaded = new HashSet<>(ours);
            stillLoaded.retainAll(KernelObjects.loadedProgramIds());
            if (stillLoaded.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        assertEquals(Set.of(), stillLoaded, "programs of ours still loaded (bpftool prog show)");
    }

    /**
     * A watcher on {@code transport}: the ring buffer is the one it picks on this kernel (5.8+); for
     * the perf buffer it is shown a procfs whose kernel release is 5.7, where it picks that.
     */
    private OomWatcher.Builder watcher(OomTransport transport) throws IOException {
        if (transport == OomTransport.RING_BUFFER) {
            return OomWatcher.builder();
        }
        if (!Files.exists(olderKernelProc.resolve("self"))) {
            Files.createSymbolicLink(olderKernelProc.resolve("self"), Path.of("/proc/self"));
        }
        Files.createDirectories(olderKernelProc.resolve("sys/kernel"));
        Files.writeString(olderKernelProc.resolve("sys/kernel/osrelease"), "5.7.0-before-the-bpf-ring-buffer\n");
        return OomWatcher.builder().procRoot(olderKernelProc);
    }

    /** The transport of the event map this process holds, as the kernel says (fdinfo's map_type). */
    private static OomTransport transportHeld() throws IOException {
        Set<Integer> types = KernelObjects.mapTypesHeldByThisProcess();
        boolean ring = types.contains(BPF_MAP_TYPE_RINGBUF);
        assertTrue(ring != types.contains(BPF_MAP_TYPE_PERF_EVENT_ARRAY), "one event map, map types " + types);
        return ring ? OomTransport.RING_BUFFER : OomTransport.PERF_BUFFER;
    }

    private static List<OomKill> ofCgroup(Collection<OomKill> kills, long id) {
        return kills.stream().filter(k -> k.cgroupId() == id).toList();
    }

    /**
     * Waits until {@code condition} holds, then for five more poll periods: the watcher's thread polls
     * every {@link OomWatcher#POLL_MILLIS} at the latest, so an event the kernel committed with the
     * ones awaited, a duplicate, would have been handled by then.
     */
    private static void awaitEverythingHandled(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            assertTrue(Instant.now().isBefore(deadline), "no event within " + DEADLINE);
            Thread.sleep(20);
        }
        assertTrue(threadRunning("dentrywatch-oom"), "the watcher polls on");
        Thread.sleep(5L * OomWatcher.POLL_MILLIS);
    }

    private static boolean threadRunning(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    /** This process's perf event and epoll descriptors (the JVM has epoll fds of its own). */
    private static List<String> anonymousFds() throws IOException {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.equals("anon_inode:[perf_event]") || target.equals("anon_inode:[eventpoll]")) {
                        found.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException e) {
                    // the directory stream's own fd
                }
            }
        }
        found.sort(null);
        return found;
    }
}
