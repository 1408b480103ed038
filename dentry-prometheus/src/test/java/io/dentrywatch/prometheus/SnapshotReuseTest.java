package io.dentrywatch.prometheus;

import io.dentrywatch.core.DentrySample;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Snapshots shared by the scrapes of one reading, and label sets kept from one reading to the next. */
class SnapshotReuseTest {

    private final MutableClock clock = new MutableClock(Samples.T0);
    private final AtomicReference<DentrySample> next = new AtomicReference<>(Samples.counts(10, 20, 30));
    private final DentryCollector collector = DentryCollector.builder(next::get)
            .minReadInterval(Duration.ofSeconds(1)).clock(clock).build();

    @Test
    void scrapesWithinTheReadIntervalShareOneReadingsSnapshots() {
        MetricSnapshots first = collector.collect();
        MetricSnapshots second = collector.collect();
        assertSame(first, second);
        assertEquals(3, alloc(first).getDataPoints().size());
    }

    @Test
    void aNewReadingHasNewValuesUnderTheLastReadingsLabelSets() {
        MetricSnapshots first = collector.collect();
        next.set(Samples.counts(11, 25, -1)); // /c2 is gone, the others grew
        clock.advance(Duration.ofSeconds(2));
        MetricSnapshots second = collector.collect();

        assertNotSame(first, second);
        for (int i = 0; i < 2; i++) {
            DataPointSnapshot before = alloc(first).getDataPoints().get(i);
            DataPointSnapshot after = alloc(second).getDataPoints().get(i);
            assertSame(before.getLabels(), after.getLabels(), "the label set of /c" + i);
        }
        assertEquals(Labels.of("container", "/c1", "namespace", "", "pod", ""),
                alloc(second).getDataPoints().get(1).getLabels());
        assertEquals(25.0, value(alloc(second).getDataPoints().get(1)));
    }

    @Test
    void aLabelSetIsKeptOnlyWhileAReadingUsesIt() {
        MetricSnapshots first = collector.collect();
        Labels gone = alloc(first).getDataPoints().get(2).getLabels();
        next.set(Samples.counts(10, 20, -1));
        clock.advance(Duration.ofMinutes(10)); // past the series' grace: /c2 is no longer exported
        collector.collect();
        next.set(Samples.counts(10, 20, 30)); // a cgroup named /c2 again, counted anew
        clock.advance(Duration.ofSeconds(2));
        MetricSnapshots third = collector.collect();

        Labels again = alloc(third).getDataPoints().get(2).getLabels();
        assertEquals(gone, again);
        assertNotSame(gone, again);
    }

    private static MetricSnapshot alloc(MetricSnapshots snapshots) {
        return snapshots.stream().filter(s -> s.getMetadata().getPrometheusName().equals("dentry_alloc"))
                .findFirst().orElseThrow();
    }

    private static double value(DataPointSnapshot point) {
        return ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) point).getValue();
    }
}
