package io.dentrywatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Reclaim of the dentry cache against the running kernel: {@code drop_caches}, a memory cgroup
 * squeezed below what its churn creates, and a remount; checked against {@code dentry-state}.
 */
@Tag("kernel")
class DentryReclaimKernelTest {

    private Path unified;
    private String name;

    @BeforeEach
    void preconditions() {
        unified = KernelTestSupport.requireRootAndUnifiedCgroup();
        name = "dentrywatch-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    private static DentrySampler.Builder sampler() {
        return DentrySampler.builder().attachMode(KernelTestSupport.attachMode()).cgroupKey(CgroupKey.MEMORY);
    }

    @Test
    void dropCachesRunsTheSuperblockShrinkerAndCreditsTheCgroupsItReclaims() throws Exception {
        Path parent = KernelTestSupport.memoryCgroupParent(unified, name);
        try (DentrySampler sampler = sampler().build(); TestCgroup cg = TestCgroup.create(parent, name)) {
            DentrySample start = sampler.sample();
            assertTrue(start.counters().contains(DentryCounter.RECLAIM) && start.counters().contains(DentryCounter.RECLAIMED),
                    "reclaim measured: " + start.counters() + " " + sampler.info().degraded());
            cg.lookupMissing(30_000);
            Thread.sleep(500);
            DentrySample before = sampler.sample();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "2");
            Thread.sleep(1_000);
            DentrySample after = sampler.sample();
            DentryReclaim r0 = before.reclaim();
            DentryReclaim r1 = after.reclaim();
            long dropped = before.node().total() - after.node().total();
            long runs = r1.runs() - r0.runs();
            long freed = r1.freed() - r0.freed();
            long bucketed = r1.durationBuckets().stream().mapToLong(Long::longValue).sum()
                    - r0.durationBuckets().stream().mapToLong(Long::longValue).sum();
            long reclaimedHere = find(after, cg.id()).reclaimed() - find(before, cg.id()).reclaimed();
            System.out.printf("drop_caches: nr_dentry %d -> %d; %d shrinker runs freed %d objects in %s; %d from the test cgroup%n",
                    before.node().total(), after.node().total(), runs, freed, r1.time().minus(r0.time()), reclaimedHere);
            assertTrue(runs > 0, "superblock shrinker runs");
            assertEquals(runs, bucketed, "every run has a duration bucket");
            assertTrue(r1.time().compareTo(r0.time()) > 0, "runs take time");
            // super_cache_scan frees dentries and inodes: at least most of the dentries the node lost
            assertTrue(freed >= dropped * 8 / 10 && dropped > 20_000,
                    "shrinker freed " + freed + " objects, nr_dentry dropped by " + dropped);
            // the test cgroup's 30,000 negative dentries sat on its own memcg-aware LRU
            assertTrue(reclaimedHere >= 27_000 && reclaimedHere <= freed, "reclaimed from the test cgroup: " + reclaimedHere);
            if (after.counters().contains(DentryCounter.PRUNE_DCACHE_SB)) {
                assertTrue(r1.pruneDcacheSb() > r0.pruneDcacheSb(), "prune_dcache_sb called by the shrinker");
            }
        } finally {
            deleteIfOurs(parent);
        }
    }

    @Test
    void aSqueezedMemoryCgroupIsReclaimedAndCredited() throws Exception {
        Path parent = KernelTestSupport.memoryCgroupParent(unified, name);
        try (DentrySampler sampler = sampler().build(); TestCgroup cg = TestCgroup.create(parent, name)) {
            KernelTestSupport.limitMemory(cg.dir(), 12L << 20);
            DentrySample before = sampler.sample();
            // ~180,000 negative dentries need ~33 MiB of dentry slab, charged to this 12 MiB cgroup
            cg.lookupMissing(180_000);
            DentrySample after = sampler.sample();
            CgroupDentryCounts c = find(after, cg.id());
            System.out.printf("memcg pressure: %s; node runs %d -> %d%n", c, before.reclaim().runs(), after.reclaim().runs());
            assertTrue(after.reclaim().runs() > before.reclaim().runs(), "the shrinker ran");
            assertTrue(c.reclaimed() > 100_000, "objects reclaimed from the squeezed cgroup: " + c.reclaimed());
        } finally {
            deleteIfOurs(parent);
        }
    }

    @Test
    void aRemountShrinksTheSuperblocksDentries() throws Exception {
        Path mnt = Files.createTempDirectory("dentrywatch-tmpfs");
        try (DentrySampler sampler = sampler().build()) {
            run("mount", "-t", "tmpfs", "-o", "size=4m", "dentrywatch-test", mnt.toString());
            try {
                for (int i = 0; i < 100; i++) {
                    Files.exists(mnt.resolve("missing" + i));
                }
                DentrySample before = sampler.sample();
                run("mount", "-o", "remount,ro", mnt.toString());
                DentrySample after = sampler.sample();
                if (after.counters().contains(DentryCounter.SHRINK_DCACHE_SB)) {
                    assertTrue(after.reclaim().shrinkDcacheSb() > before.reclaim().shrinkDcacheSb(),
                            "shrink_dcache_sb counted on remount: " + after.reclaim());
                } else {
                    // tracepoint mode cannot see shrink_dcache_sb: unavailable, and its count stays 0
                    assertEquals(AttachMode.TRACEPOINT, sampler.mode());
                    assertEquals(0, after.reclaim().shrinkDcacheSb());
                }
            } finally {
                run("umount", mnt.toString());
            }
        } finally {
            Files.deleteIfExists(mnt);
        }
    }

    private void deleteIfOurs(Path parent) throws java.io.IOException {
        if (parent.startsWith(unified)) {
            Files.deleteIfExists(parent);
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
    }

    private static CgroupDentryCounts find(DentrySample sample, long id) {
        return sample.cgroups().stream().filter(c -> c.cgroupId() == id).findFirst()
                .orElseThrow(() -> new AssertionError("cgroup " + id + " not in sample " + sample.cgroups()));
    }
}
