package io.dentrywatch.micrometer;

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
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Binds dentrywatch samples to Micrometer: per-container function counters ({@code dentry.alloc},
 * {@code dentry.positive}, {@code dentry.negative} and its split {@code dentry.negative.lookup} and
 * {@code dentry.negative.unlink}, {@code dentry.reclaimed}) tagged {@code namespace}, {@code pod} and
 * {@code container}, {@code node.dentry.count} gauges tagged {@code type}, {@code node.dentry.freed}, the
 * reclaim meters ({@code node.dentry.reclaim} and its kin, the function timer
 * {@code node.dentry.reclaim.duration} with its buckets as counters {@code node.dentry.reclaim.duration.buckets}
 * tagged {@code upper.bound}), and the monitor's own meters. Through Micrometer's Prometheus registry the names,
 * labels and HELP are those of dentry-prometheus, the reclaim duration histogram aside; see this module's
 * README for the table.
 *
 * <pre>{@code
 * DentryMetrics metrics = DentryMetrics.builder(sampler::sample)
 *         .containerResolver(resolver)
 *         .build();
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <p>The kernel is read when a registry reads a meter (a scrape or a publish), at most once per
 * {@link Builder#minReadInterval(Duration)}; {@link #refresh()} reads and updates the meters on demand.
 * Containers first seen past {@link Builder#maxContainerSeries(int)} are summed into
 * {@code container="_other"}, and a container keeps its place for its whole life so that no counter
 * ever decreases. A container that goes away keeps its meters for
 * {@link Builder#deletedSeriesGrace(Duration)}, then they are removed from every registry.
 * Thread-safe.
 *
 * <p>The bookkeeping behind this (read throttling, series cap, grace, monotonic counts) is dentry-core's
 * {@link io.dentrywatch.core.export}, shared with dentry-prometheus; this class maps it to meters.
 */
public final class DentryMetrics extends BoundMeters<Reading> implements MeterBinder, AutoCloseable {

    private DentryMetrics(ThrottledSampler sampler) {
        super("DentryMetrics", sampler::read, DentryMetrics::meters);
    }

    /**
     * Starts a binder over a sample source.
     *
     * @param sampleSource called when meters are read, at most once per minimum read interval;
     *                     typically {@code sampler::sample}
     * @return a builder with the defaults: identity from the cgroup path, 1 s minimum read interval, 1000
     *         container series, 5 minutes of grace
     */
    public static Builder builder(Supplier<DentrySample> sampleSource) {
        return new Builder(sampleSource);
    }

    /** Every meter the reading calls for, with its value: the Micrometer twin of DentryCollector's snapshots. */
    private static Map<MeterSpec, MeterValue> meters(Reading reading) {
        Map<MeterSpec, MeterValue> meters = new LinkedHashMap<>();
        reading.sample().ifPresent(sample -> sampleMeters(sample, reading, meters));
        meters.put(MeterSpec.of(MetricFamily.CONTAINERS, "own"), MeterValue.of(reading.ownSeries()));
        meters.put(MeterSpec.of(MetricFamily.CONTAINERS, "other"), MeterValue.of(reading.containersInOther()));
        meters.put(MeterSpec.of(MetricFamily.READS), MeterValue.of(reading.reads()));
        meters.put(MeterSpec.of(MetricFamily.READ_ERRORS), MeterValue.of(reading.readErrors()));
        return meters;
    }

    private static void sampleMeters(DentrySample sample, Reading reading, Map<MeterSpec, MeterValue> meters) {
        for (MetricFamily family : MetricFamily.perContainerFamilies()) {
            if (!family.measuredIn(sample)) {
                continue; // absent, not zero: dentry.monitor.family.available says so
            }
            for (ContainerSeries series : reading.series()) {
                SeriesLabels labels = series.labels();
                meters.put(MeterSpec.of(family, labels.namespace(), labels.pod(), labels.container()),
                        MeterValue.of(series.value(family)));
            }
        }

        NodeDentryState node = sample.node();
        meters.put(MeterSpec.of(MetricFamily.NODE_DENTRY_COUNT, "total"), MeterValue.of(node.total()));
        meters.put(MeterSpec.of(MetricFamily.NODE_DENTRY_COUNT, "unused"), MeterValue.of(node.unused()));
        node.negative().ifPresent(negative ->
                meters.put(MeterSpec.of(MetricFamily.NODE_DENTRY_COUNT, "negative"), MeterValue.of(negative)));
        for (MetricFamily family : MetricFamily.nodeCounters()) {
            if (family.measuredIn(sample)) {
                meters.put(MeterSpec.of(family), MeterValue.of(reading.nodeCount(family)));
            }
        }
        if (MetricFamily.NODE_DENTRY_RECLAIM_DURATION.measuredIn(sample)) {
            reclaimDurationMeters(reading.reclaimDuration(), meters);
        }

        SamplerInfo info = sample.info();
        meters.put(MeterSpec.of(MetricFamily.MONITOR_INFO, info.mode().name().toLowerCase(Locale.ROOT), info.kernel(),
                info.cgroupMode(), info.version()), MeterValue.of(1));
        meters.put(MeterSpec.of(MetricFamily.MONITOR_CGROUP_KEY, info.cgroupKey().name().toLowerCase(Locale.ROOT)),
                MeterValue.of(1));
        for (String reason : info.degraded()) {
            meters.put(MeterSpec.of(MetricFamily.MONITOR_DEGRADED, reason), MeterValue.of(1));
        }
        for (MetricFamily family : MetricFamily.measurable()) {
            meters.put(MeterSpec.of(MetricFamily.FAMILY_AVAILABLE, family.prometheusName()),
                    MeterValue.of(family.measuredIn(sample) ? 1 : 0));
        }
        meters.put(MeterSpec.of(MetricFamily.TRACKED_CGROUPS), MeterValue.of(sample.cgroups().size()));
        meters.put(MeterSpec.of(MetricFamily.MAP_FULL_DROPS), MeterValue.of(reading.mapFullDrops()));
        meters.put(MeterSpec.of(MetricFamily.SAMPLE_DURATION), MeterValue.of(sample.readTime().toNanos() / 1e9));
        meters.put(MeterSpec.of(MetricFamily.SAMPLE_TIMESTAMP), MeterValue.of(sample.time().toEpochMilli() / 1e3));
    }

    /**
     * The reclaim duration histogram in Micrometer's terms. Micrometer builds histogram buckets only from
     * the values a Timer records itself and has no meter for counts bucketed elsewhere; so the count and
     * sum are a {@code FunctionTimer} (rendered by the Prometheus registry as
     * {@code node_dentry_reclaim_duration_seconds_count} and {@code _sum}, typed summary), and the
     * cumulative buckets are function counters {@code node.dentry.reclaim.duration.buckets} tagged
     * {@code upper.bound}.
     */
    private static void reclaimDurationMeters(ReclaimDurationHistogram histogram, Map<MeterSpec, MeterValue> meters) {
        MetricFamily family = MetricFamily.NODE_DENTRY_RECLAIM_DURATION;
        meters.put(MeterSpec.of(family), new MeterValue(histogram.count(), histogram.sumSeconds()));
        for (int i = 0; i < histogram.upperBounds().size(); i++) {
            meters.put(MeterSpec.bucket(family, histogram.upperBounds().get(i)), MeterValue.of(histogram.cumulativeCounts().get(i)));
        }
        meters.put(MeterSpec.bucket(family, Double.POSITIVE_INFINITY), MeterValue.of(histogram.count()));
    }

    /**
     * Configures {@link DentryMetrics}: the options and {@code build()} are
     * {@link AdapterBuilder}'s, shared with dentry-prometheus. Not thread-safe; build once.
     */
    public static final class Builder extends AdapterBuilder<Builder, DentryMetrics> {

        private Builder(Supplier<DentrySample> sampleSource) {
            super(sampleSource, DentryMetrics::new);
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
