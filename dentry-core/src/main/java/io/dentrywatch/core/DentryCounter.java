package io.dentrywatch.core;

/**
 * A counter the sampler can feed. Which ones a sampler feeds depends on its {@link AttachMode}, on
 * the kernel and on which hooks attached; {@link DentrySample#counters()} says, so a counter that
 * cannot be measured is reported as unavailable rather than as zero.
 */
public enum DentryCounter {
    /** Dentries allocated by tasks of the cgroup ({@link CgroupDentryCounts#allocations()}). */
    ALLOC,
    /** Dentries given an inode by tasks of the cgroup: files created or found ({@link CgroupDentryCounts#positive()}). */
    POSITIVE,
    /** Lookup misses cached as negative dentries ({@link CgroupDentryCounts#negativeLookup()}). */
    NEGATIVE_LOOKUP,
    /** Positive dentries turned negative by unlink ({@link CgroupDentryCounts#negativeUnlink()}). */
    NEGATIVE_UNLINK,
    /** Dentries freed, node-wide ({@link DentrySample#freed()}): the freeing task is not the owner. */
    FREED,
    /** Superblock-shrinker reclaim runs, objects scanned and freed, durations, node-wide ({@link DentrySample#reclaim()}). */
    RECLAIM,
    /** Objects reclaimed from a memory cgroup's dentry and inode LRUs ({@link CgroupDentryCounts#reclaimed()}). */
    RECLAIMED,
    /** {@code prune_dcache_sb} calls ({@link DentryReclaim#pruneDcacheSb()}); fentry and kprobe modes. */
    PRUNE_DCACHE_SB,
    /** {@code shrink_dcache_sb} calls ({@link DentryReclaim#shrinkDcacheSb()}); fentry and kprobe modes. */
    SHRINK_DCACHE_SB
}
