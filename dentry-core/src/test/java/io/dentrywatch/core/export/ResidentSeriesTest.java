package io.dentrywatch.core.export;

import static io.dentrywatch.core.export.Feed.nonPod;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dentrywatch.core.CgroupDentryCounts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** dentry_resident and dentry_negative_resident: gauges of what each container holds now, summed, capped, never below 0. */
class ResidentSeriesTest {

    private final Feed feed = new Feed();

    /** A cgroup of container {@code /c<i>} holding {@code charged - uncharged}, {@code bound - unbound} of them positive. */
    private static CgroupDentryCounts holding(int i, long charged, long uncharged, long bound, long unbound) {
        return new CgroupDentryCounts(1000 + i, "/c" + i, charged, 0, 0, 0, 0, charged, uncharged, bound, unbound);
    }

    @Test
    void aContainerHoldsWhatItsCgroupsHoldNowAndAGaugeGoesDownAsWellAsUp() {
        ThrottledSampler sampler = feed.sampler(feed.settings().withMaxContainerSeries(10));
        feed.set(Feed.sample(List.of(holding(0, 1_000, 100, 300, 0), holding(1, 50, 0, 50, 0)), 0, 0));
        Reading first = sampler.read();
        assertEquals(Map.of(nonPod("/c0"), 900L, nonPod("/c1"), 50L), Feed.family(first, MetricFamily.DENTRY_RESIDENT));
        assertEquals(Map.of(nonPod("/c0"), 600L, nonPod("/c1"), 0L),
                Feed.family(first, MetricFamily.DENTRY_NEGATIVE_RESIDENT));

        // reclaim frees most of /c0's; /c1 frees more than it made since the start (dentries cached before): 0, not negative
        feed.set(Feed.sample(List.of(holding(0, 1_000, 950, 300, 280), holding(1, 50, 80, 50, 60)), 0, 0));
        Reading second = sampler.read();
        assertEquals(Map.of(nonPod("/c0"), 50L, nonPod("/c1"), 0L), Feed.family(second, MetricFamily.DENTRY_RESIDENT));
        assertEquals(Map.of(nonPod("/c0"), 30L, nonPod("/c1"), 0L), Feed.family(second, MetricFamily.DENTRY_NEGATIVE_RESIDENT));
    }

    @Test
    void theOtherBucketHoldsWhatItsMembersHoldAndAGoneContainerHoldsNothing() {
        ThrottledSampler sampler = feed.sampler(feed.settings().withMaxContainerSeries(1));
        feed.set(Feed.sample(List.of(holding(0, 500, 0, 0, 0), holding(1, 70, 0, 0, 0), holding(2, 30, 0, 0, 0)), 0, 0));
        assertEquals(Map.of(nonPod("/c0"), 500L, SeriesLabels.OTHER, 100L),
                Feed.family(sampler.read(), MetricFamily.DENTRY_RESIDENT));
        // /c0 is gone (its series lives on for the grace period): its dentries are its parent's now, not its own
        feed.set(Feed.sample(List.of(holding(1, 70, 0, 0, 0), holding(2, 30, 10, 0, 0)), 0, 0));
        assertEquals(Map.of(nonPod("/c0"), 0L, SeriesLabels.OTHER, 90L),
                Feed.family(sampler.read(), MetricFamily.DENTRY_RESIDENT));
    }
}
