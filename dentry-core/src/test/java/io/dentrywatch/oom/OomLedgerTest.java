package io.dentrywatch.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OomLedgerTest {

    private static OomKill kill(long cgroup, int pid, long anon) {
        return new OomKill(Instant.ofEpochSecond(1_700_000_000L + pid), pid, pid, "p" + pid, cgroup, "/cg" + cgroup,
                OomScope.MEMORY_CGROUP, Map.of(MemoryType.ANON_RSS, anon), 0);
    }

    @Test
    void countsPerCgroupAndPerNodeAndKeepsTheLastKill() {
        OomLedger ledger = new OomLedger(10);
        ledger.record(kill(1, 100, 10));
        ledger.record(kill(2, 200, 20));
        ledger.record(kill(1, 101, 11));
        OomStats stats = ledger.snapshot(7);
        assertEquals(3, stats.kills());
        assertEquals(7, stats.lostEvents());
        // least recently killed-in first
        assertEquals(List.of(2L, 1L), stats.cgroups().stream().map(OomCgroupStats::cgroupId).toList());
        OomCgroupStats one = stats.cgroups().get(1);
        assertEquals(2, one.kills());
        assertEquals("/cg1", one.cgroupPath());
        assertEquals(kill(1, 101, 11), one.lastKill());
        assertEquals(1, stats.cgroups().get(0).kills());
    }

    @Test
    void beyondCapacityTheLeastRecentlyKilledInCgroupIsForgottenButTheNodeTotalStays() {
        OomLedger ledger = new OomLedger(2);
        ledger.record(kill(1, 100, 1));
        ledger.record(kill(2, 200, 1));
        ledger.record(kill(1, 101, 1)); // 1 is now more recent than 2
        ledger.record(kill(3, 300, 1)); // evicts 2
        OomStats stats = ledger.snapshot(0);
        assertEquals(4, stats.kills());
        assertEquals(List.of(1L, 3L), stats.cgroups().stream().map(OomCgroupStats::cgroupId).toList());
        assertEquals(2, stats.cgroups().get(0).kills());
    }

    @Test
    void snapshotsDoNotChangeAfterwards() {
        OomLedger ledger = new OomLedger(4);
        ledger.record(kill(1, 100, 1));
        OomStats before = ledger.snapshot(0);
        ledger.record(kill(1, 101, 1));
        assertEquals(1, before.kills());
        assertEquals(1, before.cgroups().get(0).kills());
        assertThrows(UnsupportedOperationException.class, () -> before.cgroups().clear());
    }

    @Test
    void capacityMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new OomLedger(0));
    }
}
