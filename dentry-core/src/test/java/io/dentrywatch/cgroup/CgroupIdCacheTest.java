package io.dentrywatch.cgroup;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache's tables grow with what they hold, not with the bound, and keep every entry as they grow. */
class CgroupIdCacheTest {

    @Test
    void aLargeBoundCostsNothingUntilFilled() {
        CgroupIdCache<String> cache = new CgroupIdCache<>(16_384);
        assertEquals(2 * CgroupIdCache.INITIAL_SLOTS, cache.slots());
        // a node's 1,000 cgroups: sequential inode numbers, as the kernel hands them out
        for (long id = 5_000; id < 6_000; id++) {
            cache.put(id, "cgroup " + id);
        }
        assertEquals(1_000, cache.size());
        // 2,048 slots for 1,000 entries (at most half full), plus the empty old generation's first table
        assertEquals(2_048 + CgroupIdCache.INITIAL_SLOTS, cache.slots());
        for (long id = 5_000; id < 6_000; id++) {
            assertEquals("cgroup " + id, cache.get(id), "after growing, id " + id);
        }
        assertNull(cache.get(4_999));
        assertNull(cache.get(6_000));
    }

    @Test
    void aFullGenerationStopsGrowingAtItsBoundAndRotates() {
        CgroupIdCache<Long> cache = new CgroupIdCache<>(100);
        for (long id = 0; id < 100; id++) {
            cache.put(id * 1_000_003, id); // spread ids, as a hierarchy's cgroups are
        }
        assertEquals(100, cache.size());
        int grown = cache.slots();
        assertEquals(256 + CgroupIdCache.INITIAL_SLOTS, grown, "200 slots needed, rounded up to a power of two");
        cache.put(-1, -1L); // young is full: it becomes old, and the old table, emptied, takes the new entry
        assertEquals(101, cache.size());
        for (long id = 0; id < 100; id++) {
            assertEquals(id, cache.get(id * 1_000_003)); // each hit moves back to young
        }
        assertTrue(cache.slots() <= 2 * 256, "no table grows past its bound: " + cache.slots());
        assertEquals(-1L, cache.get(-1));
    }

    @Test
    void updatingAnEntryNeitherGrowsNorCountsTwice() {
        CgroupIdCache<String> cache = new CgroupIdCache<>(16_384);
        for (int round = 0; round < 3; round++) {
            for (long id = 0; id < 32; id++) {
                cache.put(id, "round " + round);
            }
        }
        assertEquals(32, cache.size());
        assertEquals(2 * CgroupIdCache.INITIAL_SLOTS, cache.slots());
        assertEquals("round 2", cache.get(31));
    }
}
