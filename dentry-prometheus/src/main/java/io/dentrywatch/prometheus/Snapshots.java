package io.dentrywatch.prometheus;

import io.dentrywatch.core.export.MetricFamily;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;

import java.util.List;

/** client_java snapshots of the catalogue's families, for both collectors. */
final class Snapshots {

    private Snapshots() {
    }

    /** A family's labels: its label names, in the catalogue's order, with these values. */
    static Labels labels(MetricFamily family, String... values) {
        return Labels.of(family.labelNames().toArray(String[]::new), values);
    }

    static MetricMetadata metadata(MetricFamily family) {
        return Families.descriptor(family).getMetadata();
    }

    /** A counter family of one series without labels. */
    static CounterSnapshot counter(MetricFamily family, long value) {
        return counter(family, List.of(counterPoint(value, Labels.EMPTY)));
    }

    static CounterSnapshot counter(MetricFamily family, List<CounterDataPointSnapshot> points) {
        return new CounterSnapshot(metadata(family), points);
    }

    static GaugeSnapshot gauge(MetricFamily family, List<GaugeDataPointSnapshot> points) {
        return new GaugeSnapshot(metadata(family), points);
    }

    static InfoSnapshot info(MetricFamily family, List<Labels> labels) {
        return new InfoSnapshot(metadata(family), labels.stream().map(InfoDataPointSnapshot::new).toList());
    }

    static CounterDataPointSnapshot counterPoint(long value, Labels labels) {
        return new CounterDataPointSnapshot(value, labels, null, 0);
    }

    static GaugeDataPointSnapshot gaugePoint(double value, Labels labels) {
        return new GaugeDataPointSnapshot(value, labels, null);
    }
}
