package io.dentrywatch.core;

import java.time.Duration;
import java.util.List;

/**
 * Node-wide reclaim of the dentry cache since the sampler opened: runs of the superblock shrinker
 * ({@code super_cache_scan}, which prunes a superblock's dentry and inode LRUs under memory pressure
 * and {@code drop_caches}), and calls of the two dcache pruning functions where the mode can hook them.
 *
 * @param runs             superblock shrinker runs ({@link DentryCounter#RECLAIM})
 * @param scanned          objects those runs were asked to scan
 * @param freed            objects they freed: dentries, inodes and filesystem objects
 * @param time             the time they took, summed
 * @param durationBuckets  runs by duration: entry {@code i} counts runs that took
 *                         [2<sup>i</sup>, 2<sup>i+1</sup>) nanoseconds; the last entry also holds longer ones
 * @param pruneDcacheSb    {@code prune_dcache_sb} calls: memory-pressure and drop_caches reclaim of a
 *                         superblock's dentries ({@link DentryCounter#PRUNE_DCACHE_SB})
 * @param shrinkDcacheSb   {@code shrink_dcache_sb} calls: remount, unmount, block device invalidation
 *                         ({@link DentryCounter#SHRINK_DCACHE_SB})
 */
public record DentryReclaim(
        long runs, long scanned, long freed, Duration time, List<Long> durationBuckets,
        long pruneDcacheSb, long shrinkDcacheSb) {

    /** No reclaim seen (or none measurable). */
    public static final DentryReclaim NONE = new DentryReclaim(0, 0, 0, Duration.ZERO, List.of(), 0, 0);

    public DentryReclaim {
        durationBuckets = List.copyOf(durationBuckets);
    }

    /** The exclusive upper bound of duration bucket {@code i}, in seconds: 2<sup>i+1</sup> ns. */
    public static double bucketUpperBoundSeconds(int i) {
        return Math.scalb(1.0, i + 1) / 1e9;
    }
}
