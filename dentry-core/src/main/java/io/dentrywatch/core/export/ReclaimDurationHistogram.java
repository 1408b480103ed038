package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryReclaim;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@link MetricFamily#NODE_DENTRY_RECLAIM_DURATION} as every adapter exports it: the core's log2
 * nanosecond buckets ({@link DentryReclaim#durationBuckets()}, entry {@code i} counting runs of
 * [2<sup>i</sup>, 2<sup>i+1</sup>) ns) folded into a fixed, smaller set of cumulative buckets.
 *
 * <p>The bounds are every second power of two from 2<sup>10</sup> ns (1.024 µs) to 2<sup>34</sup> ns
 * (17.18 s), 13 of them, each 4 times the last: bound {@code le} counts the runs of the core's buckets
 * up to the one it closes ({@link DentryReclaim#bucketUpperBoundSeconds(int)}), so the core's buckets
 * below 1 µs fold into the first and those from 17 s on into {@code +Inf}. A bound is exclusive, as the
 * core's buckets are: a run of exactly {@code le} counts in the next bucket, a difference of one
 * nanosecond.
 *
 * <p>{@link #count()} (the {@code +Inf} bucket and {@code _count}) is {@link DentryReclaim#runs()}, the
 * same value as {@code node_dentry_reclaim_total}. The kernel counts runs and fills the buckets in two
 * maps that a reading does not see at the same instant, so the buckets may hold a run or two more than
 * {@code runs}, or fewer, for one reading; a cumulative count is capped at {@code runs} so that the
 * buckets never decrease from one bound to the next, and a run not yet in its bucket counts only in
 * {@code +Inf} until the next reading.
 *
 * @param upperBounds      the finite bounds ({@code le}) in seconds, ascending
 * @param cumulativeCounts per bound, the runs that took less; never decreasing, never above {@code count}
 * @param count            every run: the {@code +Inf} bucket and {@code _count}
 * @param sumSeconds       the time the runs took, in seconds: {@code _sum}
 */
public record ReclaimDurationHistogram(
        List<Double> upperBounds, List<Long> cumulativeCounts, long count, double sumSeconds) {

    /** The core's buckets whose upper bounds are exported: 2^10 ns to 2^34 ns, every second one. */
    private static final int[] CLOSING_BUCKETS = IntStream.iterate(9, i -> i <= 33, i -> i + 2).toArray();

    private static final List<Double> UPPER_BOUNDS = IntStream.of(CLOSING_BUCKETS)
            .mapToObj(DentryReclaim::bucketUpperBoundSeconds).toList();

    /** Copies the lists. */
    public ReclaimDurationHistogram {
        upperBounds = List.copyOf(upperBounds);
        cumulativeCounts = List.copyOf(cumulativeCounts);
    }

    /**
     * Folds a reclaim reading's durations into the exported buckets.
     *
     * @param reclaim node-wide reclaim, as the sampler or {@link Reading#reclaim()} gives it
     * @return the histogram of its runs
     */
    public static ReclaimDurationHistogram of(DentryReclaim reclaim) {
        List<Long> buckets = reclaim.durationBuckets();
        List<Long> cumulative = new ArrayList<>(CLOSING_BUCKETS.length);
        long below = 0;
        int next = 0;
        for (int closing : CLOSING_BUCKETS) {
            for (; next <= closing && next < buckets.size(); next++) {
                below += buckets.get(next);
            }
            cumulative.add(Math.min(below, reclaim.runs()));
        }
        return new ReclaimDurationHistogram(UPPER_BOUNDS, cumulative, reclaim.runs(), reclaim.time().toNanos() / 1e9);
    }
}
