package io.dentrywatch.core;

/**
 * Cumulative dentry counts of one cgroup since the sampler opened. Counts only grow while the
 * sampler lives, also after the cgroup is removed (its last counts are kept for a grace period).
 * A counter not in {@link DentrySample#counters()} is unavailable in this mode and reads 0 here.
 *
 * @param cgroupId       the kernel's cgroup id (the cgroup directory's inode number)
 * @param path           the cgroup path relative to its hierarchy root, starting with {@code /};
 *                       {@code /<unknown id N>} when the cgroup was gone before it could be resolved
 * @param allocations    dentries allocated by tasks of this cgroup ({@link DentryCounter#ALLOC})
 * @param positive       dentries made positive ({@link DentryCounter#POSITIVE})
 * @param negativeLookup lookup misses cached as negative dentries ({@link DentryCounter#NEGATIVE_LOOKUP})
 * @param negativeUnlink positive dentries made negative by unlink ({@link DentryCounter#NEGATIVE_UNLINK})
 * @param reclaimed      objects the superblock shrinker freed while reclaiming this memory cgroup
 *                       ({@link DentryCounter#RECLAIMED}); the reclaiming task (kswapd, an allocator) is not the owner
 */
public record CgroupDentryCounts(
        long cgroupId, String path, long allocations, long positive, long negativeLookup, long negativeUnlink,
        long reclaimed) {

    /** Dentries made negative for either cause. */
    public long negative() {
        return negativeLookup + negativeUnlink;
    }
}
