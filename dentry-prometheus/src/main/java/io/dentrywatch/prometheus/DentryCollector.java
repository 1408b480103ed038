package io.dentrywatch.prometheus;

import io.dentrywatch.core.ContainerIdentity;
import io.dentrywatch.core.ContainerResolver;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import io.dentrywatch.prometheus.Families.ContainerFamily;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Exposes dentrywatch samples to a Prometheus client_java registry, reading the kernel at scrape
 * time. Families, names and labels follow the metric contract in DESIGN.md; see this module's README
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
 */
public final class DentryCollector implements MultiCollector {

    private static final String[] CONTAINER_LABELS = {Families.NAMESPACE, Families.POD, Families.CONTAINER};

    private final ThrottledSampler sampler;

    private DentryCollector(Builder builder) {
        this.sampler = new ThrottledSampler(builder.sampleSource, builder.containerResolver, builder.clock,
                builder.minReadInterval, builder.maxContainerSeries, builder.deletedSeriesGrace);
    }

    /**
     * Starts a collector over a sample source.
     *
     * @param sampleSource called at scrape time, at most once per minimum read interval; typically
     *                     {@code sampler::sample}
     * @return a builder with the defaults: no pod resolution, 1 s minimum read interval, 1000
     *         container series, 5 minutes of grace
     */
    public static Builder builder(Supplier<DentrySample> sampleSource) {
        return new Builder(sampleSource);
    }

    /** Reads the kernel if the last read is older than the minimum interval, and returns every family. */
    @Override
    public MetricSnapshots collect() {
        return snapshots(sampler.read());
    }

    /** The families this collector can emit, so that a registry rejects a second one with the same names. */
    @Override
    public List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
        return Families.EMITTED;
    }

    private static MetricSnapshots snapshots(Reading reading) {
        List<MetricSnapshot> snapshots = new ArrayList<>();
        reading.sample().ifPresent(sample -> sampleSnapshots(sample, reading, snapshots));
        snapshots.add(gauge(Families.CONTAINERS, List.of(
                gaugePoint(reading.ownSeries(), Labels.of("series", "own")),
                gaugePoint(reading.containersInOther(), Labels.of("series", "other")))));
        snapshots.add(counter(Families.READS, List.of(counterPoint(reading.reads(), Labels.EMPTY))));
        snapshots.add(counter(Families.READ_ERRORS, List.of(counterPoint(reading.readErrors(), Labels.EMPTY))));
        return new MetricSnapshots(snapshots);
    }

    private static void sampleSnapshots(DentrySample sample, Reading reading, List<MetricSnapshot> snapshots) {
        for (ContainerFamily family : ContainerFamily.values()) {
            if (!family.fedBy(sample.counters())) {
                continue; // absent, not zero: dentry_monitor_family_available says so
            }
            List<CounterDataPointSnapshot> points = new ArrayList<>();
            for (ContainerSeries series : reading.series()) {
                points.add(counterPoint(family.valueOf(series), containerLabels(series.labels())));
            }
            snapshots.add(counter(family.descriptor, points));
        }

        NodeDentryState node = sample.node();
        List<GaugeDataPointSnapshot> nodePoints = new ArrayList<>();
        nodePoints.add(gaugePoint(node.total(), Labels.of("type", "total")));
        nodePoints.add(gaugePoint(node.unused(), Labels.of("type", "unused")));
        node.negative().ifPresent(negative -> nodePoints.add(gaugePoint(negative, Labels.of("type", "negative"))));
        snapshots.add(gauge(Families.NODE_DENTRY_COUNT, nodePoints));

        SamplerInfo info = sample.info();
        snapshots.add(info(Families.MONITOR_INFO, List.of(Labels.of(
                "mode", info.mode().name().toLowerCase(Locale.ROOT),
                "kernel", info.kernel(),
                "cgroup_mode", info.cgroupMode(),
                "version", info.version()))));
        if (!info.degraded().isEmpty()) {
            snapshots.add(info(Families.MONITOR_DEGRADED,
                    info.degraded().stream().distinct().map(reason -> Labels.of("reason", reason)).toList()));
        }
        List<GaugeDataPointSnapshot> available = new ArrayList<>();
        for (ContainerFamily family : ContainerFamily.values()) {
            available.add(gaugePoint(family.fedBy(sample.counters()) ? 1 : 0, Labels.of("family", family.name)));
        }
        snapshots.add(gauge(Families.FAMILY_AVAILABLE, available));
        snapshots.add(gauge(Families.TRACKED_CGROUPS, List.of(gaugePoint(sample.cgroups().size(), Labels.EMPTY))));
        snapshots.add(counter(Families.MAP_FULL_DROPS, List.of(counterPoint(reading.mapFullDrops(), Labels.EMPTY))));
        snapshots.add(gauge(Families.SAMPLE_DURATION,
                List.of(gaugePoint(sample.readTime().toNanos() / 1e9, Labels.EMPTY))));
        snapshots.add(gauge(Families.SAMPLE_TIMESTAMP,
                List.of(gaugePoint(sample.time().toEpochMilli() / 1e3, Labels.EMPTY))));
    }

    private static Labels containerLabels(SeriesLabels labels) {
        return Labels.of(CONTAINER_LABELS, new String[] {labels.namespace(), labels.pod(), labels.container()});
    }

    private static CounterSnapshot counter(MetricFamilyDescriptor family, List<CounterDataPointSnapshot> points) {
        return new CounterSnapshot(family.getMetadata(), points);
    }

    private static GaugeSnapshot gauge(MetricFamilyDescriptor family, List<GaugeDataPointSnapshot> points) {
        return new GaugeSnapshot(family.getMetadata(), points);
    }

    private static InfoSnapshot info(MetricFamilyDescriptor family, List<Labels> labels) {
        return new InfoSnapshot(family.getMetadata(), labels.stream().map(InfoDataPointSnapshot::new).toList());
    }

    private static CounterDataPointSnapshot counterPoint(long value, Labels labels) {
        return new CounterDataPointSnapshot(value, labels, null, 0);
    }

    private static GaugeDataPointSnapshot gaugePoint(double value, Labels labels) {
        return new GaugeDataPointSnapshot(value, labels, null);
    }

    /** Configures a {@link DentryCollector}. Not thread-safe; build once. */
    public static final class Builder {

        private final Supplier<DentrySample> sampleSource;
        private ContainerResolver containerResolver = defaultContainerResolver();
        private Duration minReadInterval = Duration.ofSeconds(1);
        private int maxContainerSeries = 1000;
        private Duration deletedSeriesGrace = Duration.ofMinutes(5);
        private InstantSource clock = InstantSource.system();

        private Builder(Supplier<DentrySample> sampleSource) {
            this.sampleSource = Objects.requireNonNull(sampleSource, "sampleSource");
        }

        /**
         * Sets how a cgroup becomes the namespace, pod and container labels. Cgroups that resolve to the
         * same labels are summed into one series.
         *
         * @param containerResolver thread-safe and cheap: it is called for every cgroup of every read
         * @return this builder
         */
        public Builder containerResolver(ContainerResolver containerResolver) {
            this.containerResolver = Objects.requireNonNull(containerResolver, "containerResolver");
            return this;
        }

        /**
         * Sets the shortest time from the end of one kernel read to the start of the next; scrapes within
         * it, and scrapes that arrive while a read is under way, share that read.
         *
         * @param minReadInterval zero or more; zero reads at every scrape
         * @return this builder
         */
        public Builder minReadInterval(Duration minReadInterval) {
            if (minReadInterval.isNegative()) {
                throw new IllegalArgumentException("minReadInterval must not be negative: " + minReadInterval);
            }
            this.minReadInterval = minReadInterval;
            return this;
        }

        /**
         * Sets how many containers may have their own series; containers first seen beyond that are summed
         * into {@code container="_other"}, so each per-container family has at most this many series plus one.
         *
         * @param maxContainerSeries zero or more
         * @return this builder
         */
        public Builder maxContainerSeries(int maxContainerSeries) {
            if (maxContainerSeries < 0) {
                throw new IllegalArgumentException("maxContainerSeries must not be negative: " + maxContainerSeries);
            }
            this.maxContainerSeries = maxContainerSeries;
            return this;
        }

        /**
         * Sets how long a container that no longer appears in the samples stays exported with its last
         * values; longer than the scrape interval, so that its last increase is scraped.
         *
         * @param deletedSeriesGrace zero or more
         * @return this builder
         */
        public Builder deletedSeriesGrace(Duration deletedSeriesGrace) {
            if (deletedSeriesGrace.isNegative()) {
                throw new IllegalArgumentException("deletedSeriesGrace must not be negative: " + deletedSeriesGrace);
            }
            this.deletedSeriesGrace = deletedSeriesGrace;
            return this;
        }

        /** Replaces the clock that paces reads and grace periods; for tests. */
        Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the collector; it reads nothing until the first scrape.
         *
         * @return a collector to register with a {@code PrometheusRegistry}
         */
        public DentryCollector build() {
            return new DentryCollector(this);
        }

        /** The resolver used when none is set. The integrator switches this to the core's PathContainerResolver. */
        private static ContainerResolver defaultContainerResolver() {
            return (cgroupId, cgroupPath) -> ContainerIdentity.nonPod(cgroupPath);
        }
    }
}
