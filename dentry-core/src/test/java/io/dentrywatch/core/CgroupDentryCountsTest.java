package io.dentrywatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-cgroup slots of {@link DentryCounter} and {@link CgroupDentryCounts#count} over them. */
class CgroupDentryCountsTest {

    @Test
    void perCgroupSlotsAreDenseInDeclaredOrder() {
        List<DentryCounter> perCgroup = DentryCounter.perCgroupCounters();
        assertEquals(DentryCounter.cgroupSlots(), perCgroup.size());
        for (int i = 0; i < perCgroup.size(); i++) {
            assertEquals(i, perCgroup.get(i).slot(), perCgroup.get(i).name());
        }
        for (DentryCounter counter : DentryCounter.values()) {
            assertEquals(perCgroup.contains(counter), counter.perCgroup(), counter.name());
        }
        assertFalse(DentryCounter.FREED.perCgroup());
        assertThrows(IllegalArgumentException.class, DentryCounter.RECLAIM::slot);
    }

    @Test
    void countReadsEachCounterAndTheNamedAccessorsAgree() {
        CgroupDentryCounts c = new CgroupDentryCounts(7, "/a", 10, 4, 3, 1, 5);
        assertEquals(List.of(10L, 4L, 3L, 1L, 5L), DentryCounter.perCgroupCounters().stream().limit(5).map(c::count).toList());
        assertEquals(c.count(DentryCounter.ALLOC), c.allocations());
        assertEquals(c.count(DentryCounter.POSITIVE), c.positive());
        assertEquals(c.count(DentryCounter.NEGATIVE_LOOKUP), c.negativeLookup());
        assertEquals(c.count(DentryCounter.NEGATIVE_UNLINK), c.negativeUnlink());
        assertEquals(c.count(DentryCounter.RECLAIMED), c.reclaimed());
        assertEquals(4, c.negative());
        IllegalArgumentException nodeWide = assertThrows(IllegalArgumentException.class, () -> c.count(DentryCounter.FREED));
        assertTrue(nodeWide.getMessage().contains("node-wide"), nodeWide.getMessage());
    }

    @Test
    void countersLeftOutAreZeroAndExtraOnesAreRefused() {
        CgroupDentryCounts allocationsOnly = new CgroupDentryCounts(7, "/a", 10);
        assertEquals(10, allocationsOnly.allocations());
        assertEquals(0, allocationsOnly.reclaimed());
        assertEquals(new CgroupDentryCounts(7, "/a", 10, 0, 0, 0, 0), allocationsOnly);
        long[] tooMany = new long[DentryCounter.cgroupSlots() + 1];
        assertThrows(IllegalArgumentException.class, () -> new CgroupDentryCounts(7, "/a", tooMany));
    }

    @Test
    void equalByIdPathAndEveryCount() {
        long[] counts = {10, 4, 3, 1, 5};
        CgroupDentryCounts c = new CgroupDentryCounts(7, "/a", counts);
        counts[0] = 99; // copied, not kept
        assertEquals(new CgroupDentryCounts(7, "/a", 10, 4, 3, 1, 5), c);
        assertEquals(new CgroupDentryCounts(7, "/a", 10, 4, 3, 1, 5).hashCode(), c.hashCode());
        assertNotEquals(new CgroupDentryCounts(7, "/a", 10, 4, 3, 1, 6), c);
        assertNotEquals(new CgroupDentryCounts(8, "/a", 10, 4, 3, 1, 5), c);
        assertNotEquals(new CgroupDentryCounts(7, "/b", 10, 4, 3, 1, 5), c);
        assertTrue(c.toString().startsWith("CgroupDentryCounts[cgroupId=7, path=/a, ALLOC=10, POSITIVE=4, NEGATIVE_LOOKUP=3,"
                + " NEGATIVE_UNLINK=1, RECLAIMED=5"), c.toString());
    }
}
