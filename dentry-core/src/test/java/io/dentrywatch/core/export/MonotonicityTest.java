package io.dentrywatch.core.export;

import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentryReclaim;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.dentrywatch.core.export.Feed.alloc;
import static io.dentrywatch.core.export.Feed.allocs;
import static io.dentrywatch.core.export.Feed.family;
import static io.dentrywatch.core.export.Feed.nonPod;
import static io.dentrywatch.core.export.Feed.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Counters never go backwards while their series lives, whatever the cgroups underneath do. */
class MonotonicityTest {

    private static final String NGINX_CGROUP = "/kubepods/burstable/pod6f1c2d3e/cri-containerd-aaa.scope";
    private static final String NGINX_OLD_CGROUP = "/kubepods/burstable/pod6f1c2d3e/cri-containerd-bbb.scope";
    private static final SeriesLabels NGINX = new SeriesLabels("shop", "web-0", "nginx");

    private final Feed feed = new Feed();

    private ThrottledSampler nginxIs101And102() {
        return feed.sampler(feed.settings().withContainerResolver(Feed.podOf("shop", "web-0", "nginx", 101, 102)));
    }

    @Test
    void cgroupsOfOneContainerAreSummed() {
        feed.set(sample(List.of(
                cgroup(101, NGINX_CGROUP, 5000), cgroup(102, NGINX_OLD_CGROUP, 700), cgroup(104, "/system.slice/x", 12)),
                0, 0));

        assertEquals(Map.of(NGINX, 5700L, nonPod("/system.slice/x"), 12L), alloc(nginxIs101And102().read()));
    }

    @Test
    void aRestartedContainerAddsItsNewCgroupToWhatTheOldOneCounted() {
        ThrottledSampler sampler = nginxIs101And102();
        feed.set(sample(List.of(cgroup(101, NGINX_CGROUP, 5000)), 0, 0));
        sampler.read();

        feed.set(sample(List.of(cgroup(102, NGINX_OLD_CGROUP, 300)), 0, 0));

        assertEquals(5300L, alloc(sampler.read()).get(NGINX));
    }

    @Test
    void aReopenedSamplerStartingFromZeroDoesNotResetTheSeries() {
        ThrottledSampler sampler = feed.sampler(feed.settings());
        feed.set(allocs(1000));
        sampler.read();
        feed.set(allocs(40)); // the source restarted its count
        assertEquals(1040L, alloc(sampler.read()).get(nonPod("/c0")));
        feed.set(allocs(100));
        assertEquals(1100L, alloc(sampler.read()).get(nonPod("/c0")));
    }

    @Test
    void mapFullDropsAndNodeFreesNeverDecrease() {
        ThrottledSampler sampler = feed.sampler(feed.settings());
        feed.set(sample(List.of(), 500, 3));
        sampler.read();
        feed.set(sample(List.of(), 20, 1)); // the sampler was reopened

        Reading reading = sampler.read();

        assertEquals(4, reading.mapFullDrops());
        assertEquals(520, reading.freed());
    }

    @Test
    void nodeReclaimNeverDecreasesAndItsHistogramStaysInStepWithItsCount() {
        ThrottledSampler sampler = feed.sampler(feed.settings());
        feed.set(sample(List.of(), 0, reclaim(10, 12, 2), 0));
        sampler.read();
        feed.set(sample(List.of(), 0, reclaim(14, 12, 3), 0));
        Reading grown = sampler.read();
        assertEquals(14, grown.nodeCount(MetricFamily.NODE_DENTRY_RECLAIM));
        assertEquals(3, grown.nodeCount(MetricFamily.NODE_DENTRY_SHRINK_DCACHE_SB));

        // reopened: runs already passed the old count, but shrink_dcache_sb fell, so every count starts again
        feed.set(sample(List.of(), 0, reclaim(20, 25, 1), 0));
        Reading reading = sampler.read();

        assertEquals(34, reading.nodeCount(MetricFamily.NODE_DENTRY_RECLAIM));
        assertEquals(3400, reading.nodeCount(MetricFamily.NODE_DENTRY_RECLAIM_SCANNED));
        assertEquals(340, reading.nodeCount(MetricFamily.NODE_DENTRY_RECLAIMED));
        assertEquals(34, reading.nodeCount(MetricFamily.NODE_DENTRY_PRUNE_DCACHE_SB));
        assertEquals(4, reading.nodeCount(MetricFamily.NODE_DENTRY_SHRINK_DCACHE_SB));
        assertEquals(Duration.ofMillis(34), reading.reclaim().time());
        assertEquals(14, reading.reclaim().durationBuckets().get(12));
        assertEquals(20, reading.reclaim().durationBuckets().get(25));
        ReclaimDurationHistogram histogram = reading.reclaimDuration();
        assertEquals(34, histogram.count());
        assertEquals(34, histogram.cumulativeCounts().getLast(), "every run is below the last bound");
        assertEquals(0.034, histogram.sumSeconds(), 1e-12);
    }

    @Test
    void aCgroupResolvedAnewCountsInFullForItsNewSeriesWhileTheOldOneKeepsItsValue() {
        AtomicReference<String> podName = new AtomicReference<>("");
        ThrottledSampler sampler = feed.sampler(feed.settings().withContainerResolver((id, path) -> podName.get().isEmpty()
                ? ContainerIdentity.nonPod(path)
                : Feed.podOf("shop", podName.get(), "nginx", id).resolve(id, path)));
        feed.set(allocs(10));
        sampler.read();

        podName.set("web-0"); // the pod informer caught up
        feed.set(allocs(12));

        assertEquals(Map.of(nonPod("/c0"), 10L, NGINX, 12L), alloc(sampler.read()));
    }

    @Test
    void everyPerCgroupCounterFollowsTheSameRulesAndNegativeIsLookupPlusUnlink() {
        ThrottledSampler sampler = feed.sampler(feed.settings().withMaxContainerSeries(1));
        feed.set(sample(List.of(
                new CgroupDentryCounts(1, "/big", 100, 40, 30, 5, 500),
                new CgroupDentryCounts(2, "/small", 10, 4, 3, 2, 40),
                new CgroupDentryCounts(3, "/smaller", 1, 1, 1, 1, 7)), 0, 0));
        sampler.read();
        feed.set(sample(List.of(
                new CgroupDentryCounts(1, "/big", 7, 2, 1, 0, 30), // reopened: counts from zero again
                new CgroupDentryCounts(2, "/small", 12, 6, 4, 2, 45)), 0, 0));

        Reading reading = sampler.read();

        assertEquals(Map.of(nonPod("/big"), 42L, SeriesLabels.OTHER, 7L), family(reading, MetricFamily.DENTRY_POSITIVE));
        assertEquals(Map.of(nonPod("/big"), 31L, SeriesLabels.OTHER, 5L), family(reading, MetricFamily.DENTRY_NEGATIVE_LOOKUP));
        assertEquals(Map.of(nonPod("/big"), 5L, SeriesLabels.OTHER, 3L), family(reading, MetricFamily.DENTRY_NEGATIVE_UNLINK));
        assertEquals(Map.of(nonPod("/big"), 36L, SeriesLabels.OTHER, 8L), family(reading, MetricFamily.DENTRY_NEGATIVE));
        assertEquals(Map.of(nonPod("/big"), 530L, SeriesLabels.OTHER, 52L), family(reading, MetricFamily.DENTRY_RECLAIMED));
        assertEquals(Map.of(DentryCounter.ALLOC, 107L, DentryCounter.POSITIVE, 42L, DentryCounter.NEGATIVE_LOOKUP, 31L,
                DentryCounter.NEGATIVE_UNLINK, 5L, DentryCounter.RECLAIMED, 530L), reading.series().getFirst().counts(),
                "FREED and RECLAIM are node-wide, not per series");
    }

    @Test
    void aResolverThatThrowsIsAFailedReadAndLeavesTheSeriesAsTheyWere() {
        AtomicBoolean resolverFails = new AtomicBoolean();
        ThrottledSampler sampler = feed.sampler(feed.settings().withContainerResolver((id, path) -> {
            if (resolverFails.get() && id == 1001) {
                throw new IllegalStateException("informer not synced");
            }
            return ContainerIdentity.nonPod(path);
        }));
        feed.set(allocs(10, 20));
        Reading good = sampler.read();

        resolverFails.set(true);
        feed.set(allocs(15, 25));
        Reading failed = sampler.read();
        assertEquals(good.series(), failed.series());
        assertSame(good.sample().orElseThrow(), failed.sample().orElseThrow());
        assertEquals(1, failed.readErrors());

        resolverFails.set(false);
        assertEquals(Map.of(nonPod("/c0"), 15L, nonPod("/c1"), 25L), alloc(sampler.read()));
    }

    /** {@code runs} runs counted in duration bucket {@code bucket}; per run 1 ms, 100 objects scanned, 10 freed, one prune. */
    private static DentryReclaim reclaim(long runs, int bucket, long shrinkDcacheSb) {
        List<Long> buckets = new ArrayList<>(Collections.nCopies(40, 0L));
        buckets.set(bucket, runs);
        return new DentryReclaim(runs, 100 * runs, 10 * runs, Duration.ofMillis(runs), buckets, runs, shrinkDcacheSb);
    }

    private static CgroupDentryCounts cgroup(long id, String path, long allocations) {
        return new CgroupDentryCounts(id, path, allocations, 0, 0, 0, 0);
    }
}
