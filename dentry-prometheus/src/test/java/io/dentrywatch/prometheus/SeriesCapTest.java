package io.dentrywatch.prometheus;

import io.dentrywatch.core.ContainerIdentity;
import io.dentrywatch.core.DentrySample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The container series cap, the _other bucket, and why nothing ever decreases. */
class SeriesCapTest {

    private static final String ALLOC = "dentry_alloc_total";

    private final AtomicReference<DentrySample> current = new AtomicReference<>();
    private final MutableClock clock = new MutableClock(Samples.T0);

    private DentryCollector collector(int maxContainerSeries) {
        return DentryCollector.builder(current::get)
                .containerResolver(Samples.byPath())
                .minReadInterval(Duration.ZERO)
                .maxContainerSeries(maxContainerSeries)
                .deletedSeriesGrace(Duration.ofHours(1))
                .clock(clock)
                .build();
    }

    @Test
    void theLargestContainersOfTheFirstSampleGetTheirOwnSeriesAndTheRestAreSummed() {
        DentryCollector capped = collector(2);
        current.set(Samples.counts(10, 100, 7, 50));

        Map<String, Double> series = Exposition.scrape(capped);

        assertEquals(Map.of(
                "{container=\"/c1\",namespace=\"\",pod=\"\"}", 100.0,
                "{container=\"/c3\",namespace=\"\",pod=\"\"}", 50.0,
                "{container=\"_other\",namespace=\"\",pod=\"\"}", 17.0), Exposition.family(series, ALLOC));
        assertEquals(2.0, series.get("dentry_monitor_containers{series=\"own\"}"));
        assertEquals(2.0, series.get("dentry_monitor_containers{series=\"other\"}"));
    }

    @Test
    void cappedSeriesSumToTheUncappedTotalAndNeverDecrease() {
        DentryCollector capped = collector(2);
        DentryCollector uncapped = collector(1000);
        List<DentrySample> samples = List.of(
                Samples.counts(100, 50, 10),
                Samples.counts(150, 60, 30, 500),      // /c3 is new and the largest, but the cap is full
                Samples.counts(170, -1, 40, 900, 5),   // /c1 is gone (within grace), /c4 is new
                Samples.counts(171, -1, 41, 901, 6, 7000));
        Map<String, Double> previous = Map.of();
        for (DentrySample sample : samples) {
            current.set(sample);
            Map<String, Double> cappedAlloc = Exposition.family(Exposition.scrape(capped), ALLOC);
            Map<String, Double> uncappedAlloc = Exposition.family(Exposition.scrape(uncapped), ALLOC);

            assertTrue(cappedAlloc.size() <= 3, "at most the cap plus _other: " + cappedAlloc);
            assertEquals(Exposition.sum(uncappedAlloc), Exposition.sum(cappedAlloc), "sum of " + cappedAlloc);
            for (Map.Entry<String, Double> series : previous.entrySet()) {
                Double now = cappedAlloc.get(series.getKey());
                assertTrue(now != null && now >= series.getValue(), series.getKey() + " went from "
                        + series.getValue() + " to " + now);
            }
            previous = cappedAlloc;
        }
        assertEquals(Map.of(
                "{container=\"/c0\",namespace=\"\",pod=\"\"}", 171.0,
                "{container=\"/c1\",namespace=\"\",pod=\"\"}", 60.0,
                "{container=\"_other\",namespace=\"\",pod=\"\"}", 41.0 + 901 + 6 + 7000), previous);
    }

    @Test
    void aSlotFreedByAnExpiredSeriesGoesToTheNextNewContainerNotToAMemberOfOther() {
        DentryCollector capped = collector(1);
        current.set(Samples.counts(10, 20));
        Exposition.scrape(capped); // /c1 owns the only slot, /c0 is in _other
        current.set(Samples.counts(11, -1));
        clock.advance(Duration.ofHours(1).plusMillis(1));
        Exposition.scrape(capped); // /c1 expires: the slot is free
        current.set(Samples.counts(12, -1, 3));

        Map<String, Double> alloc = Exposition.family(Exposition.scrape(capped), ALLOC);

        assertEquals(Map.of(
                "{container=\"/c2\",namespace=\"\",pod=\"\"}", 3.0,
                "{container=\"_other\",namespace=\"\",pod=\"\"}", 12.0), alloc);
    }

    @Test
    void otherKeepsWhatAnExpiredMemberContributed() {
        DentryCollector capped = collector(0);
        current.set(Samples.counts(10, 20));
        assertEquals(30.0, otherOf(Exposition.scrape(capped)));

        current.set(Samples.counts(15, -1));
        clock.advance(Duration.ofHours(1).plusMillis(1));
        Map<String, Double> series = Exposition.scrape(capped);

        assertEquals(35.0, otherOf(series), "_other keeps /c1's 20 after /c1 expired");
        assertEquals(1.0, series.get("dentry_monitor_containers{series=\"other\"}"));
    }

    @Test
    void aContainerNamedLikeTheBucketJoinsTheBucket() {
        DentryCollector collector = DentryCollector.builder(() -> Samples.counts(4, 5))
                .containerResolver((id, path) -> ContainerIdentity.nonPod(path.equals("/c0") ? "_other" : path))
                .clock(clock)
                .build();

        Map<String, Double> alloc = Exposition.family(Exposition.scrape(collector), ALLOC);

        assertEquals(Map.of(
                "{container=\"/c1\",namespace=\"\",pod=\"\"}", 5.0,
                "{container=\"_other\",namespace=\"\",pod=\"\"}", 4.0), alloc);
    }

    private static double otherOf(Map<String, Double> series) {
        return series.get(ALLOC + "{container=\"_other\",namespace=\"\",pod=\"\"}");
    }
}
