package io.dentrywatch.core.export;

import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.core.DentrySample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.dentrywatch.core.export.Feed.alloc;
import static io.dentrywatch.core.export.Feed.allocs;
import static io.dentrywatch.core.export.Feed.nonPod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The container series cap, the _other bucket, and why nothing ever decreases. */
class SeriesCapTest {

    private final Feed feed = new Feed();

    private ThrottledSampler capped(int maxContainerSeries) {
        return feed.sampler(feed.settings().withMaxContainerSeries(maxContainerSeries));
    }

    @Test
    void theLargestContainersOfTheFirstSampleGetTheirOwnSeriesAndTheRestAreSummed() {
        ThrottledSampler capped = capped(2);
        feed.set(allocs(10, 100, 7, 50));

        Reading reading = capped.read();

        assertEquals(Map.of(nonPod("/c1"), 100L, nonPod("/c3"), 50L, SeriesLabels.OTHER, 17L), alloc(reading));
        assertEquals(SeriesLabels.OTHER, reading.series().getLast().labels(), "_other comes last");
        assertEquals(2, reading.ownSeries());
        assertEquals(2, reading.containersInOther());
    }

    @Test
    void cappedSeriesSumToTheUncappedTotalAndNeverDecrease() {
        ThrottledSampler capped = capped(2);
        ThrottledSampler uncapped = capped(1000);
        List<DentrySample> samples = List.of(
                allocs(100, 50, 10),
                allocs(150, 60, 30, 500),      // /c3 is new and the largest, but the cap is full
                allocs(170, -1, 40, 900, 5),   // /c1 is gone (within grace), /c4 is new
                allocs(171, -1, 41, 901, 6, 7000));
        Map<SeriesLabels, Long> previous = Map.of();
        for (DentrySample sample : samples) {
            feed.set(sample);
            Map<SeriesLabels, Long> cappedAlloc = alloc(capped.read());
            Map<SeriesLabels, Long> uncappedAlloc = alloc(uncapped.read());

            assertTrue(cappedAlloc.size() <= 3, "at most the cap plus _other: " + cappedAlloc);
            assertEquals(sum(uncappedAlloc), sum(cappedAlloc), "sum of " + cappedAlloc);
            for (Map.Entry<SeriesLabels, Long> series : previous.entrySet()) {
                Long now = cappedAlloc.get(series.getKey());
                assertTrue(now != null && now >= series.getValue(), series.getKey() + " went from "
                        + series.getValue() + " to " + now);
            }
            previous = cappedAlloc;
        }
        assertEquals(Map.of(nonPod("/c0"), 171L, nonPod("/c1"), 60L, SeriesLabels.OTHER, 41L + 901 + 6 + 7000), previous);
    }

    @Test
    void aSlotFreedByAnExpiredSeriesGoesToTheNextNewContainerNotToAMemberOfOther() {
        ThrottledSampler capped = capped(1);
        feed.set(allocs(10, 20));
        capped.read(); // /c1 owns the only slot, /c0 is in _other
        feed.set(allocs(11, -1));
        feed.clock.advance(Duration.ofHours(1).plusMillis(1));
        capped.read(); // /c1 expires: the slot is free
        feed.set(allocs(12, -1, 3));

        assertEquals(Map.of(nonPod("/c2"), 3L, SeriesLabels.OTHER, 12L), alloc(capped.read()));
    }

    @Test
    void otherKeepsWhatAnExpiredMemberContributed() {
        ThrottledSampler capped = capped(0);
        feed.set(allocs(10, 20));
        assertEquals(30L, alloc(capped.read()).get(SeriesLabels.OTHER));

        feed.set(allocs(15, -1));
        feed.clock.advance(Duration.ofHours(1).plusMillis(1));
        Reading reading = capped.read();

        assertEquals(35L, alloc(reading).get(SeriesLabels.OTHER), "_other keeps /c1's 20 after /c1 expired");
        assertEquals(1, reading.containersInOther());
    }

    @Test
    void aContainerNamedLikeTheBucketJoinsTheBucket() {
        ThrottledSampler sampler = feed.sampler(feed.settings().withContainerResolver(
                (id, path) -> ContainerIdentity.nonPod(path.equals("/c0") ? "_other" : path)));
        feed.set(allocs(4, 5));

        assertEquals(Map.of(nonPod("/c1"), 5L, SeriesLabels.OTHER, 4L), alloc(sampler.read()));
    }

    private static long sum(Map<SeriesLabels, Long> family) {
        return family.values().stream().mapToLong(Long::longValue).sum();
    }
}
