package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryReclaim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link MonotonicCount}'s rule for a whole {@link DentryReclaim}: every count (runs, objects, time,
 * each duration bucket, the dcache calls) grows by what the source grew, and when any of them falls
 * (the sampler was reopened and counts from zero again) every one grows by the source's new value. One
 * decision for the whole reading keeps the histogram's buckets and its count in step. Not thread-safe.
 */
final class MonotonicReclaim {

    /** runs, scanned, freed, time in ns, prune_dcache_sb, shrink_dcache_sb; then the duration buckets. */
    private static final int SCALARS = 6;

    private long[] last = new long[SCALARS];
    private long[] total = new long[SCALARS];

    /** Folds in the source's current cumulative values. */
    void observe(DentryReclaim current) {
        long[] now = flatten(current);
        int length = Math.max(now.length, Math.max(last.length, total.length));
        now = padded(now, length);
        last = padded(last, length);
        total = padded(total, length);
        boolean reset = false;
        for (int i = 0; i < length; i++) {
            reset |= now[i] < last[i];
        }
        for (int i = 0; i < length; i++) {
            total[i] += reset ? now[i] : now[i] - last[i];
        }
        last = now;
    }

    /** What the source counted since the first observation, never decreasing. */
    DentryReclaim total() {
        List<Long> buckets = new ArrayList<>(total.length - SCALARS);
        for (int i = SCALARS; i < total.length; i++) {
            buckets.add(total[i]);
        }
        return new DentryReclaim(total[0], total[1], total[2], Duration.ofNanos(total[3]), buckets, total[4], total[5]);
    }

    private static long[] flatten(DentryReclaim reclaim) {
        List<Long> buckets = reclaim.durationBuckets();
        long[] values = new long[SCALARS + buckets.size()];
        values[0] = reclaim.runs();
        values[1] = reclaim.scanned();
        values[2] = reclaim.freed();
        values[3] = reclaim.time().toNanos();
        values[4] = reclaim.pruneDcacheSb();
        values[5] = reclaim.shrinkDcacheSb();
        for (int i = 0; i < buckets.size(); i++) {
            values[SCALARS + i] = buckets.get(i);
        }
        return values;
    }

    private static long[] padded(long[] values, int length) {
        return values.length == length ? values : Arrays.copyOf(values, length);
    }
}
