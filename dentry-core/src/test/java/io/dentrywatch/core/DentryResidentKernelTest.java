package io.dentrywatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Who holds the dentry cache, by the kernel's own memory-cgroup charge, against the running kernel
 * and {@code /proc/sys/fs/dentry-state}: a cgroup whose lookup misses stay cached (a disk file
 * system) holds them, one whose misses are dropped at once (tmpfs) holds nothing, the node's total is
 * the dentries cached before the sampler plus every cgroup's resident ones, reclaim empties them, a
 * removed cgroup's dentries move to its parent, and (fentry and kprobe modes) negative-resident
 * follows misses, creations, unlinks and a missed name created.
 */
@Tag("kernel")
class DentryResidentKernelTest {

    /** Lookups per cgroup: enough that 2% is far above the node's background churn, few enough for TCG guests. */
    private static final int N = Integer.getInteger("dentrywatch.test.residentLookups", 20_000);

    private Path unified;
    private String name;
    private Path memoryParent;
    private boolean v1;
    private Path tmpfsScratch;

    @BeforeEach
    void preconditions() throws IOException {
        unified = KernelTestSupport.requireRootAndUnifiedCgroup();
        name = "dentrywatch-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        memoryParent = KernelTestSupport.memoryCgroupParent(unified, name);
        v1 = !memoryParent.startsWith(unified);
        Path shm = Path.of("/dev/shm");
        KernelTestSupport.require(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()),
                "/dev/shm is not a tmpfs");
        tmpfsScratch = Files.createDirectories(shm.resolve(name));
    }

    @AfterEach
    void cleanUp() throws IOException {
        Files.deleteIfExists(tmpfsScratch);
        if (!v1) {
            Files.deleteIfExists(memoryParent);
        }
    }

    /**
     * Counting by memory cgroup (the default on hybrid hosts, the same ids as v2 on v2 hosts), once it has
     * taken {@link DentrySampler#cachedBeforeStart()}.
     */
    private static DentrySampler sampler() throws InterruptedException {
        DentrySampler sampler = DentrySampler.builder().attachMode(KernelTestSupport.attachMode())
                .cgroupKey(CgroupKey.MEMORY).build();
        Thread.sleep(DentrySampler.SETTLE_MILLIS);
        sampler.sample();
        return sampler;
    }

    @Test
    void aCgroupHoldsTheMissesADiskCachesNotThoseTmpfsDrops() throws Exception {
        try (DentrySampler sampler = sampler();
             TestCgroup disk = TestCgroup.create(memoryParent, name + "-disk");
             TestCgroup tmpfs = TestCgroup.create(memoryParent, name + "-tmpfs")) {
            DentrySample start = sampler.sample();
            assertTrue(start.counters().containsAll(List.of(DentryCounter.CHARGED, DentryCounter.UNCHARGED)),
                    "owners counted: " + start.counters() + " " + sampler.info().degraded());
            assertTrue(Files.getFileStore(disk.scratch()).type().startsWith("ext"),
                    "the disk cgroup's scratch is on a disk file system: " + Files.getFileStore(disk.scratch()).type());
            assertNodeIsStartPlusResidents(sampler, start, "at start");

            disk.lookupMissing(N);
            tmpfs.run("cd " + tmpfsScratch + " && for ((i=0;i<" + N + ";i++)); do [ -e t$i ]; done");
            Thread.sleep(1_000); // tmpfs' negatives are killed at once and freed after an RCU grace period
            DentrySample after = sampler.sample();
            long held = find(after, disk.id()).resident() - residentOf(start, disk.id());
            long tmpfsHeld = find(after, tmpfs.id()).resident() - residentOf(start, tmpfs.id());
            System.out.printf("%s mode: %d lookups each: the disk cgroup holds %d, the tmpfs cgroup %d; %s%n",
                    sampler.mode(), N, held, tmpfsHeld, after.node());
            assertTrue(held >= N * 95L / 100, "the disk cgroup holds its misses: " + held + " of " + N);
            assertTrue(tmpfsHeld <= N * 5L / 100, "the tmpfs cgroup holds none of its misses: " + tmpfsHeld + " of " + N);
            assertTrue(find(after, tmpfs.id()).count(DentryCounter.CHARGED) >= N,
                    "the tmpfs cgroup did allocate them: " + find(after, tmpfs.id()));
            assertNodeIsStartPlusResidents(sampler, after, "after the churn");

            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "2");
            Thread.sleep(2_000); // dentries are freed after an RCU grace period
            DentrySample dropped = sampler.sample();
            long heldAfterDrop = find(dropped, disk.id()).resident() - residentOf(start, disk.id());
            System.out.printf("drop_caches: nr_dentry %d -> %d, the disk cgroup holds %d -> %d%n",
                    after.node().total(), dropped.node().total(), held, heldAfterDrop);
            assertTrue(heldAfterDrop <= N * 5L / 100, "reclaim freed the disk cgroup's dentries: it holds " + heldAfterDrop);
            // the slab tracepoints of this machine's kernel (6.18.44-fc) report fewer dentry allocations than nr_dentry
            // counts, up to ~0.7% of a cache that reclaim emptied and that grows back (bpftrace on the same
            // tracepoint misses the same); fentry and kprobe, and Debian's kernels in the matrix, agree to the dentry.
            // So in tracepoint mode the bound after a mass reclaim is 2% of the cache the test filled.
            assertNodeIsStartPlusResidents(sampler, dropped, "after drop_caches",
                    sampler.mode() == AttachMode.TRACEPOINT ? after.node().total() : dropped.node().total());
            assertEquals(0, dropped.ownerUnknown(), "every dentry event's owner was read");
        }
    }

    @Test
    void aRemovedCgroupsDentriesMoveToItsParent() throws Exception {
        Path parentDir = Files.createDirectories(memoryParent.resolve(name + "-parent"));
        if (!v1) {
            Files.writeString(parentDir.resolve("cgroup.subtree_control"), "+memory"); // the child is its own memory cgroup
        }
        long parentId = ((Number) Files.getAttribute(parentDir, "unix:ino")).longValue();
        TestCgroup child = TestCgroup.create(memoryParent, name + "-parent/child");
        try (DentrySampler sampler = sampler()) {
            child.lookupMissing(N);
            DentrySample before = sampler.sample();
            long childHeld = find(before, child.id()).resident();
            assertTrue(childHeld >= N * 95L / 100, "the child holds its misses: " + childHeld);
            long childId = child.id();
            Files.delete(child.dir()); // the cgroup goes; its scratch directory and cached names stay
            DentrySample after = sampler.sample();
            for (int i = 0; i < 20 && find(after, childId).resident() != 0; i++) {
                Thread.sleep(250); // removal is seen once the child's counts stand still
                after = sampler.sample();
            }
            long parentHeld = residentOf(after, parentId) - residentOf(before, parentId);
            System.out.printf("removed child held %d, now %d; its parent holds %d more%n", childHeld,
                    find(after, childId).resident(), parentHeld);
            assertEquals(0, find(after, childId).resident(), "the removed child holds nothing: its dentries moved");
            assertTrue(Math.abs(parentHeld - childHeld) <= childHeld / 50 + 50,
                    "the parent took the child's " + childHeld + " dentries: " + parentHeld);
            assertNodeIsStartPlusResidents(sampler, after, "after the removal");
        } finally {
            child.close();
            Files.deleteIfExists(parentDir);
        }
    }

    @Test
    void negativeResidentFollowsMissesCreationsUnlinksAndAMissedNameCreated() throws Exception {
        try (DentrySampler sampler = sampler(); TestCgroup cg = TestCgroup.create(memoryParent, name)) {
            DentrySample start = sampler.sample();
            if (sampler.mode() == AttachMode.TRACEPOINT) {
                // the slab tracepoints cannot see an inode bound or let go: unavailable, not zero
                assertFalse(start.counters().contains(DentryCounter.BOUND), start.counters().toString());
                assertFalse(start.counters().contains(DentryCounter.UNBOUND), start.counters().toString());
                return;
            }
            assertTrue(start.counters().containsAll(List.of(DentryCounter.BOUND, DentryCounter.UNBOUND)),
                    start.counters() + " " + sampler.info().degraded());
            int files = N / 4;
            int misses = N / 2;
            int unlinked = N / 8;
            int created = N / 8;
            // misses cached (negative), files created (a miss made positive), some unlinked (positive made
            // negative), then some missed names created (negative made positive)
            cg.run("for ((i=0;i<" + misses + ";i++)); do [ -e m$i ]; done;"
                    + " for ((i=0;i<" + files + ";i++)); do : > f$i; done;"
                    + " rm -f $(for ((i=0;i<" + unlinked + ";i++)); do echo f$i; done);"
                    + " for ((i=0;i<" + created + ";i++)); do : > m$i; done");
            DentrySample after = sampler.sample();
            CgroupDentryCounts c = find(after, cg.id());
            long negative = c.negativeResident() - negativeOf(start, cg.id());
            long resident = c.resident() - residentOf(start, cg.id());
            long expectedNegative = misses + unlinked - created;
            System.out.printf("%s mode: resident %d (expected %d), negative %d (expected %d); node %s%n", sampler.mode(),
                    resident, misses + files, negative, expectedNegative, after.node());
            assertWithin(misses + files, resident, "resident: every miss and every file");
            assertWithin(expectedNegative, negative, "negative: misses + unlinked - missed names created");
            long nodeNegative = after.node().negative().orElseThrow();
            long counted = sampler.cachedBeforeStart().orElseThrow().negative().orElseThrow()
                    + after.cgroups().stream().mapToLong(CgroupDentryCounts::negativeResident).sum();
            assertTrue(Math.abs(counted - nodeNegative) <= nodeNegative / 50 + 100,
                    "nr_negative " + nodeNegative + " vs negative dentries before the sampler plus every cgroup's: " + counted);
        }
    }

    /** nr_dentry is what was cached as the sampler started plus what every owner holds now, within 2%. */
    private static void assertNodeIsStartPlusResidents(DentrySampler sampler, DentrySample sample, String when) {
        assertNodeIsStartPlusResidents(sampler, sample, when, sample.node().total());
    }

    /** The same, within 2% of {@code reference} dentries. */
    private static void assertNodeIsStartPlusResidents(DentrySampler sampler, DentrySample sample, String when,
                                                       long reference) {
        long node = sample.node().total();
        long before = sampler.cachedBeforeStart().orElseThrow(() -> new AssertionError("no baseline: "
                + sample.counters() + " " + sampler.info().degraded())).total();
        long counted = before + sample.cgroups().stream().mapToLong(CgroupDentryCounts::resident).sum();
        long allocated = sample.cgroups().stream().mapToLong(CgroupDentryCounts::allocations).sum();
        System.out.printf("%s: nr_dentry %d, cached before the sampler %d + resident %d = %d (allocated - freed %d,"
                + " owner unknown %d)%n", when, node, before, counted - before,
                counted, allocated - sample.freed(), sample.ownerUnknown());
        assertTrue(Math.abs(counted - node) <= reference / 50,
                when + ": nr_dentry " + node + " vs dentries before the sampler plus every cgroup's resident: " + counted);
    }

    private static long residentOf(DentrySample sample, long id) {
        return sample.cgroups().stream().filter(c -> c.cgroupId() == id).mapToLong(CgroupDentryCounts::resident).sum();
    }

    private static long negativeOf(DentrySample sample, long id) {
        return sample.cgroups().stream().filter(c -> c.cgroupId() == id).mapToLong(CgroupDentryCounts::negativeResident).sum();
    }

    private static CgroupDentryCounts find(DentrySample sample, long id) {
        return sample.cgroups().stream().filter(c -> c.cgroupId() == id).findFirst()
                .orElseThrow(() -> new AssertionError("cgroup " + id + " not in sample " + sample.cgroups()));
    }

    /** Within 2% (plus a few for the shell itself) of the known operations. */
    private static void assertWithin(long expected, long actual, String what) {
        assertTrue(Math.abs(actual - expected) <= expected / 50 + 30, what + ": expected " + expected + " (2%), counted " + actual);
    }
}
