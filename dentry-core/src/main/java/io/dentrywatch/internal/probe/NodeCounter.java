package io.dentrywatch.internal.probe;

import java.util.Objects;

/**
 * The node-wide counters of {@code dentry.bpf.c}, declared in the order of its {@code enum node_counter}:
 * a counter's ordinal is its slot. With the reclaim duration histogram after them they make
 * {@code struct node_counts}, the one per-CPU value of {@link DentryProbes#NODE_MAP}, which a sample
 * reads with one lookup into a {@code long[]} of {@link #VALUE_LONGS} (summed over CPUs). The
 * layout is checked against the object's BTF by dentry-core's {@code DentryObjectLayoutTest}.
 */
public enum NodeCounter {
    /** Dentries freed. */
    FREED,
    /** Events lost because the per-cgroup map was full: counted, never silent. */
    MAP_FULL_DROPS,
    /** Superblock shrinker ({@code super_cache_scan}) runs. */
    RECLAIM_RUNS,
    /** Objects those runs were asked to scan. */
    RECLAIM_SCANNED,
    /** Objects they freed (dentries, inodes, filesystem objects). */
    RECLAIM_FREED,
    /** Nanoseconds they took, summed. */
    RECLAIM_NS,
    /** {@code prune_dcache_sb} calls. */
    PRUNE_DCACHE_SB,
    /** {@code shrink_dcache_sb} calls. */
    SHRINK_DCACHE_SB,
    /** Dentry events whose owner (memory cgroup) could not be read: counted, never silent. */
    OWNER_UNKNOWN;

    private static final int COUNTERS = values().length;

    /** Reclaim run durations after the counters: bucket {@code i} counts runs of [2<sup>i</sup>, 2<sup>i+1</sup>) ns. */
    public static final int LATENCY_BUCKETS = 40;

    /** The {@code u64}s of {@code struct node_counts}: the counters, then the histogram. */
    public static final int VALUE_LONGS = COUNTERS + LATENCY_BUCKETS;

    /** This counter in a {@code struct node_counts} read into {@code value}. */
    public long in(long[] value) {
        return value[ordinal()];
    }

    /** Histogram bucket {@code i} in a {@code struct node_counts} read into {@code value}. */
    public static long bucket(long[] value, int i) {
        return value[COUNTERS + Objects.checkIndex(i, LATENCY_BUCKETS)];
    }
}
