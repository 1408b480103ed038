package io.dentrywatch.prometheus;

import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import io.dentrywatch.core.export.AdapterBuilder;
import io.dentrywatch.core.export.ContainerSeries;
import io.dentrywatch.core.export.MetricFamily;
import io.dentrywatch.core.export.Reading;
import io.dentrywatch.core.export.ReclaimDurationHistogram;
import io.dentrywatch.core.export.SeriesLabels;
import io.dentrywatch.core.export.ThrottledSampler;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import static io.dentrywatch.prometheus.Snapshots.counter;
import static io.dentrywatch.prometheus.Snapshots.counterPoint;
import static io.dentrywatch.prometheus.Snapshots.gauge;
import static io.dentrywatch.prometheus.Snapshots.gaugePoint;
import static io.dentrywatch.prometheus.Snapshots.info;
import static io.dentrywatch.prometheus.Snapshots.labels;
import static io.dentrywatch.prometheus.Snapshots.metadata;

/**
 * Exposes dentrywatch samples to a Prometheus client_java registry, reading the kernel at scrape
 * time. Families, names and labels follow the metric contract (the repository README's "Metrics" section); see this module's README
 * for the table.
 *
 * <pre>{@code
 * DentryCollector collector = DentryCollector.builder(sampler::sample)
 *         .containerResolver(resolver)
 *         .build();
 * PrometheusRegistry.defaultRegistry.register(collector);
 * }</pre>
 *
 * <p>Scrapes closer together than {@link Builder#minReadInterval(Duration)} share one kernel read.
 * Container series are capped by {@link Builder#maxContainerSeries(int)}: containers first seen
 * once the cap is reached are summed into {@code container="_other"}, and a container keeps its
 * place for its whole life so that no counter ever decreases. A container that goes away stays
 * exported for {@link Builder#deletedSeriesGrace(Duration)}. Thread-safe.
 *
 * <p>The bookkeeping behind this (read throttling, series cap, grace, monotonic counts) is dentry-core's
 * {@link io.dentrywatch.core.export}, shared with dentry-micrometer; this class maps it to snapshots.
 */
public final class DentryCollector extends ReadingCollector<Reading> implements MultiCollector {

    private DentryCollector(ThrottledSampler sampler) {
        super(sampler::read, DentryCollector::snapshots, Families.SAMPLER);
    }

    /**
     * Starts a collector over a sample source.
     *
     * @param sampleSource called at scrape time, at most once per minimum read interval; typically
     *                     {@code sampler::sample}
     * @return a builder with the defaults: identity from the cgroup path, 1 s minimum read interval, 1000
     *         container series, 5 minutes of grace
     */
    public static Builder builder(Supplier<DentrySample> sampleSource) {
        return new Builder(sampleSource);
    }

    private static MetricSnapshots snapshots(Reading reading) {
        List<MetricSnapshot> snapshots = new ArrayList<>();
        reading.sample().ifPresent(sample -> sampleSnapshots(sample, reading, snapshots));
        snapshots.add(gauge(MetricFamily.CONTAINERS, List.of(
                gaugePoint(reading.ownSeries(), labels(MetricFamily.CONTAINERS, "own")),
                gaugePoint(reading.containersInOther(), labels(MetricFamily.CONTAINERS, "other")))));
        snapshots.add(counter(MetricFamily.READS, reading.reads()));
        snapshots.add(counter(MetricFamily.READ_ERRORS, reading.readErrors()));
        return new MetricSnapshots(snapshots);
    }

    private static void sampleSnapshots(DentrySample sample, Reading reading, List<MetricSnapshot> snapshots) {
        for (MetricFamily family : MetricFamily.perContainerFamilies()) {
            if (!family.measuredIn(sample)) {
                continue; // absent, not zero: dentry_monitor_family_available says so
            }
            List<CounterDataPointSnapshot> points = new ArrayList<>();
            for (ContainerSeries series : reading.series()) {
                SeriesLabels labels = series.labels();
                points.add(counterPoint(series.value(family),
                        labels(family, labels.namespace(), labels.pod(), labels.container())));
            }
            snapshots.add(counter(family, points));
        }

        NodeDentryState node = sample.node();
        List<GaugeDataPointSnapshot> nodePoints = new ArrayList<>();
        nodePoints.add(gaugePoint(node.total(), labels(MetricFamily.NODE_DENTRY_COUNT, "total")));
        nodePoints.add(gaugePoint(node.unused(), labels(MetricFamily.NODE_DENTRY_COUNT, "unused")));
        node.negative().ifPresent(negative ->
                nodePoints.add(gaugePoint(negative, labels(MetricFamily.NODE_DENTRY_COUNT, "negative"))));
        snapshots.add(gauge(MetricFamily.NODE_DENTRY_COUNT, nodePoints));
        for (MetricFamily family : MetricFamily.nodeCounters()) {
            if (family.measuredIn(sample)) {
                snapshots.add(counter(family, reading.nodeCount(family)));
            }
        }
        if (MetricFamily.NODE_DENTRY_RECLAIM_DURATION.measuredIn(sample)) {
            snapshots.add(histogram(MetricFamily.NODE_DENTRY_RECLAIM_DURATION, reading.reclaimDuration()));
        }

        SamplerInfo info = sample.info();
        snapshots.add(info(MetricFamily.MONITOR_INFO, List.of(labels(MetricFamily.MONITOR_INFO,
                info.mode().name().toLowerCase(Locale.ROOT), info.kernel(), info.cgroupMode(), info.version()))));
        snapshots.add(info(MetricFamily.MONITOR_CGROUP_KEY, List.of(
                labels(MetricFamily.MONITOR_CGROUP_KEY, info.cgroupKey().name().toLowerCase(Locale.ROOT)))));
        if (!info.degraded().isEmpty()) {
            snapshots.add(info(MetricFamily.MONITOR_DEGRADED, info.degraded().stream().distinct()
                    .map(reason -> labels(MetricFamily.MONITOR_DEGRADED, reason)).toList()));
        }
        List<GaugeDataPointSnapshot> available = new ArrayList<>();
        for (MetricFamily family : MetricFamily.measurable()) {
            available.add(gaugePoint(family.measuredIn(sample) ? 1 : 0,
                    labels(MetricFamily.FAMILY_AVAILABLE, family.prometheusName())));
        }
        snapshots.add(gauge(MetricFamily.FAMILY_AVAILABLE, available));
        snapshots.add(gauge(MetricFamily.TRACKED_CGROUPS, List.of(gaugePoint(sample.cgroups().size(), Labels.EMPTY))));
        snapshots.add(counter(MetricFamily.MAP_FULL_DROPS, reading.mapFullDrops()));
        snapshots.add(gauge(MetricFamily.SAMPLE_DURATION,
                List.of(gaugePoint(sample.readTime().toNanos() / 1e9, Labels.EMPTY))));
        snapshots.add(gauge(MetricFamily.SAMPLE_TIMESTAMP,
                List.of(gaugePoint(sample.time().toEpochMilli() / 1e3, Labels.EMPTY))));
    }

    /**
     * A histogram family of one series without labels. client_java takes each bucket's own count, not the
     * cumulative one, and writes them back cumulated; {@code +Inf} holds the runs past the last bound.
     */
    private static HistogramSnapshot histogram(MetricFamily family, ReclaimDurationHistogram histogram) {
        List<Double> upperBounds = new ArrayList<>(histogram.upperBounds());
        upperBounds.add(Double.POSITIVE_INFINITY);
        List<Long> counts = new ArrayList<>(upperBounds.size());
        long below = 0;
        for (long cumulative : histogram.cumulativeCounts()) {
            counts.add(cumulative - below);
            below = cumulative;
        }
        counts.add(histogram.count() - below);
        return new HistogramSnapshot(metadata(family), List.of(new HistogramDataPointSnapshot(
                ClassicHistogramBuckets.of(upperBounds, counts), histogram.sumSeconds(), Labels.EMPTY, Exemplars.EMPTY, 0)));
    }

    /**
     * Configures a {@link DentryCollector}: the options and {@code build()} are
     * {@link AdapterBuilder}'s, shared with dentry-micrometer. Not thread-safe; build once.
     */
    public static final class Builder extends AdapterBuilder<Builder, DentryCollector> {

        private Builder(Supplier<DentrySample> sampleSource) {
            super(sampleSource, DentryCollector::new);
        }

        /** Replaces the clock that paces reads and grace periods; for this package's tests. */
        @Override
        protected Builder clock(InstantSource clock) {
            return super.clock(clock);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
