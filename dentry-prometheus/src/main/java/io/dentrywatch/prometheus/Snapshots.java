package io.dentrywatch.prometheus;

import io.dentrywatch.core.export.FamilyReading;
import io.dentrywatch.core.export.FamilyReading.Point;
import io.dentrywatch.core.export.MetricFamily;
import io.dentrywatch.core.export.ReclaimDurationHistogram;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * client_java snapshots of dentry-core's families, for both collectors: one mapping a family type. An instance
 * keeps the label sets of the last reading it mapped, so that the next reading reuses them: client_java's
 * {@code Labels.of} checks every label name at every call, which was over half of a scrape's garbage.
 * Not thread-safe, and used once: {@link #of} maps one reading with a new instance made from the last one.
 */
final class Snapshots {

    /** A family's label names and a series' values: what a label set is found by. */
    private record LabelKey(List<String> names, List<String> values) {
    }

    private Map<LabelKey, Labels> previous; // needed only while mapping: let the last reading's sets go after
    private final Map<LabelKey, Labels> current = new HashMap<>();

    private Snapshots(Map<LabelKey, Labels> previous) {
        this.previous = previous;
    }

    /** A mapper with no label sets yet. */
    static Snapshots first() {
        return new Snapshots(Map.of());
    }

    /** A mapper for the next reading, reusing the label sets this one made or reused, and only those. */
    Snapshots next() {
        return new Snapshots(current);
    }

    /** The snapshots of a reading's families, in their order. */
    MetricSnapshots of(List<FamilyReading> families) {
        List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        for (FamilyReading family : families) {
            snapshots.add(snapshot(family));
        }
        previous = Map.of();
        return new MetricSnapshots(snapshots);
    }

    private MetricSnapshot snapshot(FamilyReading reading) {
        MetricFamily family = reading.family();
        MetricMetadata metadata = Families.descriptor(family).getMetadata();
        List<Point> points = reading.points();
        return switch (family.type()) {
            case COUNTER -> new CounterSnapshot(metadata, points.stream()
                    .map(p -> new CounterDataPointSnapshot(p.value(), labels(family, p), null, 0)).toList());
            case GAUGE -> new GaugeSnapshot(metadata, points.stream()
                    .map(p -> new GaugeDataPointSnapshot(p.value(), labels(family, p), null)).toList());
            case INFO -> new InfoSnapshot(metadata, points.stream()
                    .map(p -> new InfoDataPointSnapshot(labels(family, p))).toList());
            case HISTOGRAM -> new HistogramSnapshot(metadata, List.of(histogram(reading.histogram().orElseThrow())));
        };
    }

    /** A point's labels: the family's label names, in the catalogue's order, with the point's values. */
    private Labels labels(MetricFamily family, Point point) {
        LabelKey key = new LabelKey(family.labelNames(), point.labelValues());
        Labels labels = current.get(key);
        if (labels == null) {
            labels = previous.get(key);
            if (labels == null) {
                labels = Labels.of(family.labelNames(), point.labelValues());
            }
            current.put(key, labels);
        }
        return labels;
    }

    /**
     * The one series of a histogram, without labels. client_java takes each bucket's own count, not the
     * cumulative one, and writes them back cumulated; {@code +Inf} holds the runs past the last bound.
     */
    private static HistogramDataPointSnapshot histogram(ReclaimDurationHistogram histogram) {
        List<Double> upperBounds = new ArrayList<>(histogram.upperBounds());
        upperBounds.add(Double.POSITIVE_INFINITY);
        List<Long> counts = new ArrayList<>(upperBounds.size());
        long below = 0;
        for (long cumulative : histogram.cumulativeCounts()) {
            counts.add(cumulative - below);
            below = cumulative;
        }
        counts.add(histogram.count() - below);
        return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(upperBounds, counts), histogram.sumSeconds(),
                Labels.EMPTY, Exemplars.EMPTY, 0);
    }
}
