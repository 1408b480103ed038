package io.dentrywatch.core;

import io.dentrywatch.internal.probe.DentryProbes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The dentry lifecycle per cgroup against the running kernel: creations, lookup misses and unlinks
 * in a fresh cgroup, memory-cgroup attribution, a hook that cannot attach, frees against
 * {@code /proc/sys/fs/dentry-state}, and map hygiene under cgroup churn.
 */
@Tag("kernel")
class DentryLifecycleKernelTest {

    private static final int FILES = 3_000;
    private static final int MISSING = 4_000;
    private static final int UNLINKED = 1_000;

    private Path unified;
    private String name;

    @BeforeEach
    void preconditions() {
        unified = KernelTestSupport.requireRootAndUnifiedCgroup();
        name = "dentrywatch-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    private static DentrySampler.Builder sampler() {
        return DentrySampler.builder().attachMode(KernelTestSupport.attachMode());
    }

    @Test
    void countsCreationsLookupMissesAndUnlinksOfOneCgroup() throws Exception {
        try (DentrySampler sampler = sampler().cgroupKey(CgroupKey.V2).build();
             TestCgroup cg = TestCgroup.create(unified, name)) {
            NodeDentryState before = sampler.sample().node();
            cg.lifecycle(FILES, MISSING, UNLINKED);
            DentrySample sample = sampler.sample();
            CgroupDentryCounts c = find(sample, cg.id());
            System.out.printf("lifecycle in %s mode: %s, node before %s after %s%n", sampler.mode(), c, before, sample.node());

            // every created file and every missing name is looked up first: one allocation each
            assertWithin(FILES + MISSING, c.allocations(), "allocations");
            if (sampler.mode() == AttachMode.TRACEPOINT) {
                // the slab tracepoints cannot tell positive from negative: unavailable, not zero
                assertTrue(sample.counters().containsAll(Set.of(DentryCounter.ALLOC, DentryCounter.FREED)));
                for (DentryCounter c2 : List.of(DentryCounter.POSITIVE, DentryCounter.NEGATIVE_LOOKUP, DentryCounter.NEGATIVE_UNLINK)) {
                    assertFalse(sample.counters().contains(c2), c2 + " is unavailable in tracepoint mode");
                }
            } else {
                assertTrue(sample.counters().containsAll(List.of(DentryCounter.POSITIVE,
                        DentryCounter.NEGATIVE_LOOKUP, DentryCounter.NEGATIVE_UNLINK)), sample.counters().toString());
                assertWithin(FILES, c.positive(), "made positive (created)");
                assertWithin(FILES + MISSING, c.negativeLookup(), "lookup misses (each creation looks up first)");
                assertWithin(UNLINKED, c.negativeUnlink(), "made negative by unlink");
            }
            if (sample.node().negative().isPresent() && before.negative().isPresent()) {
                long moved = sample.node().negative().getAsLong() - before.negative().getAsLong();
                assertTrue(moved >= (MISSING + UNLINKED) * 9L / 10,
                        "/proc/sys/fs/dentry-state nr_negative grew by " + moved + ", expected about " + (MISSING + UNLINKED));
            }
        }
    }

    @Test
    void freesMatchTheDropOfTheNodesDentries() throws Exception {
        try (DentrySampler sampler = sampler().build();
             TestCgroup cg = TestCgroup.create(unified, name)) {
            assertTrue(sampler.info().mode() != AttachMode.NONE && sampler.sample().counters().contains(DentryCounter.FREED));
            cg.lookupMissing(20_000); // something for reclaim to free
            // nr_dentry drops when a dentry is killed, the slab free (tracepoint mode) follows an RCU
            // grace period later: let earlier kills settle before the first reading
            Thread.sleep(1_000);
            DentrySample before = sampler.sample();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "2");
            // dentries are freed after an RCU grace period, and a loaded machine runs tens of thousands of RCU
            // callbacks over seconds: read until the frees have caught up with the drop, for up to 15 s
            long deadline = System.nanoTime() + 15_000_000_000L;
            long dropped;
            long allocated;
            long freed;
            long expected;
            DentrySample after;
            do {
                Thread.sleep(1_000);
                after = sampler.sample();
                dropped = before.node().total() - after.node().total();
                allocated = totalAllocations(after) - totalAllocations(before);
                freed = after.freed() - before.freed();
                // nr_dentry changes by allocations minus frees, so frees = drop + allocations
                expected = dropped + allocated;
            } while (!freesMatch(freed, expected) && System.nanoTime() < deadline);
            System.out.printf("drop_caches: nr_dentry %d -> %d, allocated %d, freed %d%n",
                    before.node().total(), after.node().total(), allocated, freed);
            assertTrue(dropped > 10_000, "drop_caches freed dentries: nr_dentry dropped by " + dropped);
            assertTrue(freesMatch(freed, expected),
                    "freed " + freed + " vs nr_dentry drop " + dropped + " + allocations " + allocated);
        }
    }

    /** Within 3% and 200 dentries: per-CPU counters and the frees of other processes blur the node's counts. */
    private static boolean freesMatch(long freed, long expected) {
        return Math.abs(freed - expected) <= expected * 3 / 100 + 200;
    }

    @Test
    void countsUnderTheMemoryCgroupByDefaultOnHybridHosts() throws Exception {
        Path hierarchy = KernelTestSupport.memoryCgroupParent(unified, name);
        boolean v1 = !hierarchy.startsWith(unified);
        // hybrid: AUTO picks the memory cgroup (the process's v2 cgroup stays where it is); v2: forced
        DentrySampler.Builder builder = v1 ? sampler() : sampler().cgroupKey(CgroupKey.MEMORY);
        try (DentrySampler s = builder.build(); TestCgroup cg = TestCgroup.create(hierarchy, name)) {
            assertEquals(CgroupKey.MEMORY, s.info().cgroupKey());
            cg.lookupMissing(5_000);
            CgroupDentryCounts c = find(s.sample(), cg.id());
            assertEquals(v1 ? cg.path() : "/" + unified.relativize(cg.dir()), c.path());
            assertWithin(5_000, c.allocations(), "allocations of the memory cgroup");
        } finally {
            if (!v1) {
                Files.deleteIfExists(hierarchy);
            }
        }
    }

    @Test
    void aHookWhoseFunctionIsMissingDegradesOnlyItsCounter() throws Exception {
        AttachMode mode = KernelTestSupport.attachMode();
        try (DentrySampler probe = sampler().build()) {
            mode = probe.mode();
        }
        String hook = switch (mode) {
            case FENTRY -> "fentry_d_delete";
            case KPROBE -> "kprobe_d_delete";
            default -> "tp_kmem_cache_free";
        };
        DentryCounter lost = hook.startsWith("tp_") ? DentryCounter.FREED : DentryCounter.NEGATIVE_UNLINK;
        // a raw tracepoint attaches by name, after load: one hook can fail alone (tp_btf's fails the load)
        boolean rawTracepoints = mode == AttachMode.TRACEPOINT;
        try (OpenedProbes opened = OpenedProbes.open(mode, CgroupKey.V2, Map.of(hook, "dentrywatch_no_such_function"),
                     rawTracepoints);
             TestCgroup cg = TestCgroup.create(unified, name)) {
            DentryProbes probes = opened.probes();
            assertEquals(mode, probes.mode());
            assertFalse(probes.counters().contains(lost), probes.counters() + " must not contain " + lost);
            assertTrue(probes.counters().contains(DentryCounter.ALLOC));
            assertTrue(probes.degraded().stream().anyMatch(d -> d.contains(hook) && d.contains(lost.name())),
                    probes.degraded().toString());
            cg.lookupMissing(2_000);
            assertWithin(2_000, opened.allocations(cg.id()), "allocations with one hook missing");
        }
    }

    @Test
    void aFullMapCountsWhatItDrops() throws Exception {
        List<TestCgroup> cgroups = new ArrayList<>();
        try (DentrySampler sampler = sampler().cgroupKey(CgroupKey.V2).mapCapacity(4).build()) {
            for (int i = 0; i < 12; i++) {
                cgroups.add(TestCgroup.create(unified, name + "/c" + i));
            }
            for (TestCgroup cg : cgroups) {
                cg.lookupMissing(50);
            }
            DentrySample sample = sampler.sample();
            assertTrue(sample.cgroups().size() <= 4, sample.cgroups().toString());
            assertTrue(sample.mapFullDrops() >= 50, "12 cgroups in a map of 4: drops " + sample.mapFullDrops());
        } finally {
            for (TestCgroup cg : cgroups) {
                cg.close();
            }
            Files.deleteIfExists(unified.resolve(name));
        }
    }

    @Test
    void cgroupChurnLeavesOnlyLiveCgroupsInTheMap() throws Exception {
        int churned = Integer.getInteger("dentrywatch.test.churnCgroups", 2_000);
        Path parent = Files.createDirectories(unified.resolve(name));
        List<TestCgroup> live = new ArrayList<>();
        try (DentrySampler sampler = sampler().cgroupKey(CgroupKey.V2).build()) {
            for (int i = 0; i < 5; i++) {
                live.add(TestCgroup.create(unified, name + "/live" + i));
            }
            Map<Long, Long> lastSeen = new HashMap<>();
            Set<Long> dead = new HashSet<>();
            for (int round = 0; round < 4; round++) {
                // one bash moves itself through fresh cgroups, a lookup in each, then they are removed
                Path batch = Files.createDirectories(parent.resolve("round" + round));
                int per = churned / 4;
                for (int i = 0; i < per; i++) {
                    Files.createDirectory(batch.resolve("c" + i));
                }
                for (int i = 0; i < per; i++) {
                    dead.add(((Number) Files.getAttribute(batch.resolve("c" + i), "unix:ino")).longValue());
                }
                live.get(round % live.size()).run("for ((i=0;i<" + per + ";i++)); do echo $$ > " + batch
                        + "/c$i/cgroup.procs; [ -e r" + round + "x$i ]; done; echo $$ > " + live.get(0).dir() + "/cgroup.procs");
                for (int i = 0; i < per; i++) {
                    Files.delete(batch.resolve("c" + i));
                }
                Files.delete(batch);
                for (TestCgroup cg : live) {
                    cg.lookupMissing(10);
                }
                for (int s = 0; s < 2; s++) {
                    for (CgroupDentryCounts c : sampler.sample().cgroups()) {
                        Long previous = lastSeen.put(c.cgroupId(), c.allocations());
                        assertTrue(previous == null || previous <= c.allocations(),
                                c.path() + " went backwards: " + previous + " -> " + c.allocations());
                    }
                }
            }
            DentrySample last = sampler.sample();
            long deadInSample = last.cgroups().stream().filter(c -> dead.contains(c.cgroupId())).count();
            assertTrue(deadInSample > 0, "removed cgroups are still reported during the grace period");
            // the kernel map holds only what still exists: the live ones and the host's own
            int inMap = KernelObjects.mapEntries(DentryProbes.COUNTS_MAP);
            System.out.printf("churned %d cgroups: %d reported (grace), %d in the kernel map%n", churned, last.cgroups().size(), inMap);
            assertTrue(inMap < 100, "kernel map entries after churning " + churned + " cgroups: " + inMap);
            for (TestCgroup cg : live) {
                assertTrue(find(last, cg.id()).allocations() >= 40, cg.path());
            }
        } finally {
            for (TestCgroup cg : live) {
                cg.close();
            }
            Files.deleteIfExists(parent);
        }
    }

    private static long totalAllocations(DentrySample s) {
        return s.cgroups().stream().mapToLong(CgroupDentryCounts::allocations).sum();
    }

    private static CgroupDentryCounts find(DentrySample sample, long id) {
        return sample.cgroups().stream().filter(c -> c.cgroupId() == id).findFirst()
                .orElseThrow(() -> new AssertionError("cgroup " + id + " not in sample " + sample.cgroups()));
    }

    /** At least the known operations, and no more than 2% (plus a few for the shell itself) over. */
    static void assertWithin(long expected, long actual, String what) {
        assertTrue(actual >= expected && actual <= expected + expected / 50 + 30,
                what + ": expected " + expected + " (+2%), counted " + actual);
    }
}
