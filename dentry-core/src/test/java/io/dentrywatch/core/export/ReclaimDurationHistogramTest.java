package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryReclaim;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The core's log2 nanosecond buckets, folded into the exported bounds. */
class ReclaimDurationHistogramTest {

    /** The kernel's bucket of a duration: floor(log2(ns)), the last bucket holding everything longer. */
    private static int kernelBucket(long ns) {
        return Math.min(63 - Long.numberOfLeadingZeros(Math.max(ns, 1)), 39);
    }

    @Test
    void theBoundsGrowFourfoldFromAboutAMicrosecondToAboutSeventeenSeconds() {
        List<Double> bounds = ReclaimDurationHistogram.of(DentryReclaim.NONE).upperBounds();

        assertEquals(13, bounds.size());
        assertEquals(1024e-9, bounds.getFirst(), 1e-18);
        assertEquals(17.179869184, bounds.getLast(), 1e-12);
        for (int i = 1; i < bounds.size(); i++) {
            assertEquals(4 * bounds.get(i - 1), bounds.get(i), 1e-15);
        }
    }

    @Test
    void eachBoundCountsTheRunsShorterThanItAndCountIsEveryRun() {
        // durations around every boundary, from 1 ns to 20 minutes
        long[] durations = LongStream.concat(
                LongStream.rangeClosed(0, 40).flatMap(p -> LongStream.of((1L << p) - 1, 1L << p, (1L << p) + 1)),
                LongStream.of(700, 5_000, 3_000_000, 2_000_000_000L, 1_200_000_000_000L)).filter(ns -> ns > 0).toArray();
        List<Long> buckets = new ArrayList<>(Collections.nCopies(40, 0L));
        long totalNs = 0;
        for (long ns : durations) {
            int bucket = kernelBucket(ns);
            buckets.set(bucket, buckets.get(bucket) + 1);
            totalNs += ns;
        }

        ReclaimDurationHistogram histogram = ReclaimDurationHistogram.of(
                new DentryReclaim(durations.length, 0, 0, Duration.ofNanos(totalNs), buckets, 0, 0));

        for (int i = 0; i < histogram.upperBounds().size(); i++) {
            double le = histogram.upperBounds().get(i);
            long shorter = LongStream.of(durations).filter(ns -> ns / 1e9 < le).count();
            assertEquals(shorter, histogram.cumulativeCounts().get(i), "le=" + le);
        }
        assertEquals(durations.length, histogram.count());
        assertEquals(totalNs / 1e9, histogram.sumSeconds(), 1e-9);
    }

    @Test
    void bucketsAheadOfTheRunCountAreCappedAndRunsNotYetInABucketCountOnlyInInf() {
        List<Long> buckets = new ArrayList<>(Collections.nCopies(40, 0L));
        buckets.set(9, 3L);   // below 1.024 µs
        buckets.set(20, 4L);  // 1.05 to 2.1 ms: below the 7th bound, 4.19 ms

        ReclaimDurationHistogram ahead = ReclaimDurationHistogram.of(
                new DentryReclaim(5, 0, 0, Duration.ofMillis(8), buckets, 0, 0));
        ReclaimDurationHistogram behind = ReclaimDurationHistogram.of(
                new DentryReclaim(9, 0, 0, Duration.ofMillis(8), buckets, 0, 0));

        assertEquals(List.of(3L, 3L, 3L, 3L, 3L, 3L, 5L, 5L, 5L, 5L, 5L, 5L, 5L), ahead.cumulativeCounts());
        assertEquals(5, ahead.count());
        assertEquals(List.of(3L, 3L, 3L, 3L, 3L, 3L, 7L, 7L, 7L, 7L, 7L, 7L, 7L), behind.cumulativeCounts());
        assertEquals(9, behind.count());
    }

    @Test
    void noReclaimIsEveryBucketZero() {
        ReclaimDurationHistogram none = ReclaimDurationHistogram.of(DentryReclaim.NONE);

        assertEquals(Collections.nCopies(13, 0L), none.cumulativeCounts());
        assertEquals(0, none.count());
        assertEquals(0.0, none.sumSeconds());
    }
}
