package io.dentrywatch.core;

import io.dentrywatch.cgroup.CgroupHierarchy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.bpf.CounterTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Map hygiene on a directory tree standing in for a cgroup hierarchy (ids are inodes there too). */
class CgroupLedgerTest {

    @TempDir
    Path root;

    private final List<Long> deleted = new ArrayList<>();
    private CgroupLedger ledger;
    private final Instant t0 = Instant.parse("2026-11-21T10:00:00Z");

    @BeforeEach
    void setUp() {
        ledger = new CgroupLedger(new CgroupHierarchy(root), Duration.ofMinutes(5), false);
    }

    @Test
    void liveCgroupsReportTheKernelsCountsWithTheirPaths() throws IOException {
        long a = mkdir("kubepods/a");
        List<CgroupDentryCounts> out = ledger.update(table(row(a, 10, 4, 3, 1)), t0, this::delete);
        assertEquals(List.of(new CgroupDentryCounts(a, "/kubepods/a", 10, 4, 3, 1, 0)), out);
        assertEquals(List.of(), deleted);
    }

    @Test
    void aRemovedCgroupIsDeletedFromTheMapAndKeepsItsCountsForTheGracePeriod() throws IOException {
        long a = mkdir("a");
        long b = mkdir("b");
        ledger.update(table(row(a, 10, 0, 0, 0), row(b, 5, 0, 0, 0)), t0, this::delete);
        Files.delete(root.resolve("a"));
        // a stood still and is gone: deleted from the map, its counts carried
        List<CgroupDentryCounts> out = ledger.update(table(row(a, 10, 0, 0, 0), row(b, 7, 0, 0, 0)), t0.plusSeconds(10), this::delete);
        assertEquals(List.of(a), deleted);
        assertEquals(10, find(out, a).allocations());
        assertEquals(7, find(out, b).allocations());
        // the map no longer has a; it is still reported until the grace period ends
        out = ledger.update(table(row(b, 8, 0, 0, 0)), t0.plus(Duration.ofMinutes(4)), this::delete);
        assertEquals(10, find(out, a).allocations());
        out = ledger.update(table(row(b, 9, 0, 0, 0)), t0.plus(Duration.ofMinutes(6)), this::delete);
        assertTrue(out.stream().noneMatch(c -> c.cgroupId() == a), "a dropped after grace: " + out);
        assertEquals(9, find(out, b).allocations());
    }

    @Test
    void aCgroupThatStillCountsIsNotDeletedEvenIfItsDirectoryIsGone() throws IOException {
        long a = mkdir("a");
        ledger.update(table(row(a, 1, 0, 0, 0)), t0, this::delete);
        Files.delete(root.resolve("a"));
        ledger.update(table(row(a, 2, 0, 0, 0)), t0.plusSeconds(1), this::delete);
        assertEquals(List.of(), deleted, "a cgroup whose counts moved is alive (a last task still exiting)");
    }

    @Test
    void countsAfterRemovalAddToTheCarriedOnesSoNothingGoesBackwards() throws IOException {
        long a = mkdir("a");
        ledger.update(table(row(a, 10, 1, 2, 3)), t0, this::delete);
        Files.delete(root.resolve("a"));
        ledger.update(table(row(a, 10, 1, 2, 3)), t0.plusSeconds(1), this::delete);
        // the kernel entry was deleted; a straggler event recreates it from zero
        List<CgroupDentryCounts> out = ledger.update(table(row(a, 1, 0, 0, 0)), t0.plusSeconds(2), this::delete);
        assertEquals(new CgroupDentryCounts(a, "/a", 11, 1, 2, 3, 0), find(out, a));
    }

    @Test
    void aNewCgroupUnderAnOldNameIsNotTheOldOne() throws IOException {
        long old = mkdir("a");
        ledger.update(table(row(old, 3, 0, 0, 0)), t0, this::delete);
        Files.move(root.resolve("a"), root.resolve("old")); // keeps the old inode busy so "a" gets a new one
        long reborn = mkdir("a");
        Files.delete(root.resolve("old"));
        List<CgroupDentryCounts> out = ledger.update(table(row(old, 3, 0, 0, 0), row(reborn, 1, 0, 0, 0)), t0.plusSeconds(1), this::delete);
        assertEquals(List.of(old), deleted);
        assertEquals(1, find(out, reborn).allocations());
    }

    @Test
    void idsNoDirectoryHasAreReportedAsUnknownThenDeletedWhenIdle() {
        long ghost = 987_654_321L;
        List<CgroupDentryCounts> out = ledger.update(table(row(ghost, 4, 0, 0, 0)), t0, this::delete);
        assertEquals("/<unknown id " + ghost + ">", find(out, ghost).path());
        ledger.update(table(row(ghost, 4, 0, 0, 0)), t0.plusSeconds(1), this::delete);
        assertEquals(List.of(ghost), deleted);
    }

    @Test
    void kernelsBefore55HaveAGenerationInTheHighBits() throws IOException {
        CgroupLedger old = new CgroupLedger(new CgroupHierarchy(root), Duration.ofMinutes(5), true);
        long a = mkdir("a");
        long withGeneration = (7L << 32) | a;
        List<CgroupDentryCounts> out = old.update(table(row(withGeneration, 2, 0, 0, 0)), t0, this::delete);
        assertEquals(new CgroupDentryCounts(a, "/a", 2, 0, 0, 0, 0), out.get(0));
    }

    @Test
    void aRemovedCgroupsDentriesMoveToItsNearestExistingAncestorAsTheKernelsChargeDoes() throws IOException {
        long parent = mkdir("pod");
        long child = mkdir("pod/c");
        long rootIno = ((Number) Files.getAttribute(root, "unix:ino")).longValue();
        // ALLOC, POSITIVE, NEGATIVE_LOOKUP, NEGATIVE_UNLINK, RECLAIMED, CHARGED, UNCHARGED, BOUND, UNBOUND
        ledger.update(table(row(child, 100, 0, 0, 0, 0, 100, 10, 30, 5)), t0, this::delete);
        Files.delete(root.resolve("pod/c"));
        List<CgroupDentryCounts> out = ledger.update(table(row(child, 100, 0, 0, 0, 0, 100, 10, 30, 5)), t0.plusSeconds(1),
                this::delete);
        assertEquals(List.of(child), deleted);
        CgroupDentryCounts gone = find(out, child);
        assertEquals(100, gone.allocations(), "flows by task stay with the removed cgroup for the grace period");
        assertEquals(0, gone.resident(), "what it held is its parent's now");
        assertEquals(0, gone.negativeResident());
        assertEquals(90, find(out, parent).resident(), "the parent, which has no row of its own, took it");
        assertEquals(65, find(out, parent).negativeResident());
        // a straggler free charged to the child before the kernel reparented: it follows too
        out = ledger.update(table(row(child, 100, 0, 0, 0, 0, 0, 1, 0, 0)), t0.plusSeconds(2), this::delete);
        out = ledger.update(table(row(child, 100, 0, 0, 0, 0, 0, 1, 0, 0)), t0.plusSeconds(3), this::delete);
        assertEquals(0, find(out, child).resident());
        assertEquals(89, find(out, parent).resident());
        // the parent goes too: everything moves on to the root
        Files.delete(root.resolve("pod"));
        out = ledger.update(table(), t0.plusSeconds(4), this::delete);
        assertEquals(0, find(out, parent).resident());
        assertEquals(89, find(out, rootIno).resident(), "nothing is lost: " + out);
        long total = out.stream().mapToLong(CgroupDentryCounts::resident).sum();
        assertEquals(89, total, "nothing is counted twice");
    }

    private boolean delete(long id) {
        deleted.add(id);
        return true;
    }

    private long mkdir(String relative) throws IOException {
        Path dir = Files.createDirectories(root.resolve(relative));
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }

    private static long[] row(long id, long... values) {
        long[] r = new long[values.length + 1];
        r[0] = id;
        System.arraycopy(values, 0, r, 1, values.length);
        return r;
    }

    private static CounterTable table(long[]... rows) {
        int fields = DentryCounter.cgroupSlots();
        CounterTable t = new CounterTable(fields, 4);
        for (long[] r : rows) {
            int row = t.addRow(r[0]);
            for (int f = 0; f < fields && f + 1 < r.length; f++) {
                t.add(row, f, r[f + 1]);
            }
        }
        return t;
    }

    private static CgroupDentryCounts find(List<CgroupDentryCounts> out, long id) {
        return out.stream().filter(c -> c.cgroupId() == id).findFirst().orElseThrow(() -> new AssertionError(id + " in " + out));
    }
}
