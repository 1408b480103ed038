package io.dentrywatch.micrometer;

import io.dentrywatch.core.ContainerIdentity;
import io.dentrywatch.core.ContainerResolver;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import io.dentrywatch.micrometer.MeterNames.ContainerMeter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Binds dentrywatch samples to Micrometer: per-container {@code dentry.alloc} function counters
 * tagged {@code namespace}, {@code pod} and {@code container}, {@code node.dentry.count} gauges
 * tagged {@code type}, and the monitor's own meters. Through Micrometer's Prometheus registry the
 * names, labels and HELP are those of dentry-prometheus; see this module's README for the table.
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
 */
public final class DentryMetrics implements MeterBinder, AutoCloseable {

    private final ThrottledSampler sampler;
    private final ReentrantLock meterLock = new ReentrantLock();

    // guarded by meterLock; Micrometer references its meters' state weakly, so the cells live here
    private final Map<MeterSpec, MeterCell> cells = new LinkedHashMap<>();
    private final Map<MeterRegistry, Map<MeterSpec, Meter>> registries = new IdentityHashMap<>();
    private volatile boolean closed;

    /** The reading the cells hold; read without the lock to skip work when nothing is new. */
    private volatile Reading applied;

    private DentryMetrics(Builder builder) {
        this.sampler = new ThrottledSampler(builder.sampleSource, builder.containerResolver, builder.clock,
                builder.minReadInterval, builder.maxContainerSeries, builder.deletedSeriesGrace);
    }

    /**
     * Starts a binder over a sample source.
     *
     * @param sampleSource called when meters are read, at most once per minimum read interval;
     *                     typically {@code sampler::sample}
     * @return a builder with the defaults: no pod resolution, 1 s minimum read interval, 1000
     *         container series, 5 minutes of grace
     */
    public static Builder builder(Supplier<DentrySample> sampleSource) {
        return new Builder(sampleSource);
    }

    /**
     * Reads the kernel (unless the last read is recent enough) and registers this binder's meters with
     * the registry; may be called for several registries.
     *
     * @throws IllegalStateException if this binder is closed
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Reading reading = sampler.read();
        meterLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("DentryMetrics is closed");
            }
            registries.putIfAbsent(registry, new HashMap<>());
            update(reading);
        } finally {
            meterLock.unlock();
        }
    }

    /**
     * Reads the kernel unless the last read is younger than the minimum interval, then updates every
     * meter: values, containers that appeared, containers whose grace period ended. Registries read
     * the kernel through the meters anyway; call this before a scrape to make the scrape show
     * containers that appeared since the last one.
     */
    public void refresh() {
        Reading reading = sampler.read();
        meterLock.lock();
        try {
            update(reading);
        } finally {
            meterLock.unlock();
        }
    }

    /** Removes this binder's meters from every registry it was bound to; it reads nothing more. */
    @Override
    public void close() {
        meterLock.lock();
        try {
            closed = true;
            registries.forEach((registry, meters) -> meters.values().forEach(registry::remove));
            registries.clear();
            cells.clear();
        } finally {
            meterLock.unlock();
        }
    }

    /** What every meter's function calls before it answers: a scrape is what reads the kernel. */
    private double read(MeterCell cell) {
        if (closed) {
            return cell.value;
        }
        Reading reading = sampler.read();
        // never wait here (a registry may hold its own lock while it reads meters), nor re-enter an update
        if (reading != applied && !meterLock.isHeldByCurrentThread() && meterLock.tryLock()) {
            try {
                update(reading);
            } finally {
                meterLock.unlock();
            }
        }
        return cell.value;
    }

    private void update(Reading reading) {
        if (closed) {
            return;
        }
        if (reading != applied) {
            Map<MeterSpec, Double> wanted = meters(reading);
            for (Iterator<Map.Entry<MeterSpec, MeterCell>> it = cells.entrySet().iterator(); it.hasNext(); ) {
                MeterSpec spec = it.next().getKey();
                if (!wanted.containsKey(spec)) {
                    it.remove();
                    registries.forEach((registry, meters) -> {
                        Meter meter = meters.remove(spec);
                        if (meter != null) {
                            registry.remove(meter);
                        }
                    });
                }
            }
            wanted.forEach((spec, value) -> cells.computeIfAbsent(spec, s -> new MeterCell()).value = value);
            applied = reading;
        }
        registries.forEach((registry, meters) -> cells.forEach((spec, cell) ->
                meters.computeIfAbsent(spec, s -> register(registry, s, cell))));
    }

    private Meter register(MeterRegistry registry, MeterSpec spec, MeterCell cell) {
        return switch (spec.kind()) {
            case COUNTER -> FunctionCounter.builder(spec.name(), cell, this::read)
                    .tags(spec.tags()).description(spec.help()).register(registry);
            case GAUGE -> Gauge.builder(spec.name(), cell, this::read)
                    .tags(spec.tags()).description(spec.help()).baseUnit(spec.baseUnit()).register(registry);
            case SECONDS -> TimeGauge.builder(spec.name(), cell, TimeUnit.SECONDS, this::read)
                    .tags(spec.tags()).description(spec.help()).register(registry);
        };
    }

    /** Every meter the reading calls for, with its value: the Micrometer twin of DentryCollector's snapshots. */
    private static Map<MeterSpec, Double> meters(Reading reading) {
        Map<MeterSpec, Double> meters = new LinkedHashMap<>();
        reading.sample().ifPresent(sample -> sampleMeters(sample, reading, meters));
        meters.put(MeterSpec.gauge(MeterNames.CONTAINERS, MeterNames.CONTAINERS_HELP, Tags.of("series", "own")),
                (double) reading.ownSeries());
        meters.put(MeterSpec.gauge(MeterNames.CONTAINERS, MeterNames.CONTAINERS_HELP, Tags.of("series", "other")),
                (double) reading.containersInOther());
        meters.put(MeterSpec.counter(MeterNames.READS, MeterNames.READS_HELP, Tags.empty()), (double) reading.reads());
        meters.put(MeterSpec.counter(MeterNames.READ_ERRORS, MeterNames.READ_ERRORS_HELP, Tags.empty()),
                (double) reading.readErrors());
        return meters;
    }

    private static void sampleMeters(DentrySample sample, Reading reading, Map<MeterSpec, Double> meters) {
        for (ContainerMeter meter : ContainerMeter.values()) {
            if (!meter.fedBy(sample.counters())) {
                continue; // absent, not zero: dentry.monitor.family.available says so
            }
            for (ContainerSeries series : reading.series()) {
                SeriesLabels labels = series.labels();
                Tags tags = Tags.of(MeterNames.NAMESPACE, labels.namespace(), MeterNames.POD, labels.pod(),
                        MeterNames.CONTAINER, labels.container());
                meters.put(MeterSpec.counter(meter.name, meter.help, tags), (double) meter.valueOf(series));
            }
        }

        NodeDentryState node = sample.node();
        meters.put(nodeCount("total"), (double) node.total());
        meters.put(nodeCount("unused"), (double) node.unused());
        node.negative().ifPresent(negative -> meters.put(nodeCount("negative"), (double) negative));

        SamplerInfo info = sample.info();
        meters.put(MeterSpec.gauge(MeterNames.MONITOR_INFO, MeterNames.MONITOR_INFO_HELP, Tags.of(
                "mode", info.mode().name().toLowerCase(Locale.ROOT),
                "kernel", info.kernel(),
                "cgroup.mode", info.cgroupMode(),
                "version", info.version())), 1.0);
        for (String reason : info.degraded()) {
            meters.put(MeterSpec.gauge(MeterNames.MONITOR_DEGRADED, MeterNames.MONITOR_DEGRADED_HELP,
                    Tags.of("reason", reason)), 1.0);
        }
        for (ContainerMeter meter : ContainerMeter.values()) {
            meters.put(MeterSpec.gauge(MeterNames.FAMILY_AVAILABLE, MeterNames.FAMILY_AVAILABLE_HELP,
                    Tags.of("family", meter.prometheusName)), meter.fedBy(sample.counters()) ? 1.0 : 0.0);
        }
        meters.put(MeterSpec.gauge(MeterNames.TRACKED_CGROUPS, MeterNames.TRACKED_CGROUPS_HELP, Tags.empty()),
                (double) sample.cgroups().size());
        meters.put(MeterSpec.counter(MeterNames.MAP_FULL_DROPS, MeterNames.MAP_FULL_DROPS_HELP, Tags.empty()),
                (double) reading.mapFullDrops());
        meters.put(new MeterSpec(MeterKind.SECONDS, MeterNames.SAMPLE_DURATION, Tags.empty(),
                MeterNames.SAMPLE_DURATION_HELP, null), sample.readTime().toNanos() / 1e9);
        meters.put(new MeterSpec(MeterKind.GAUGE, MeterNames.SAMPLE_TIMESTAMP, Tags.empty(),
                MeterNames.SAMPLE_TIMESTAMP_HELP, "seconds"), sample.time().toEpochMilli() / 1e3);
    }

    private static MeterSpec nodeCount(String type) {
        return MeterSpec.gauge(MeterNames.NODE_DENTRY_COUNT, MeterNames.NODE_DENTRY_COUNT_HELP, Tags.of("type", type));
    }

    /** How a meter is registered. */
    private enum MeterKind { COUNTER, GAUGE, SECONDS }

    /** Everything that identifies a meter and how to register it; equal specs are the same meter. */
    private record MeterSpec(MeterKind kind, String name, Tags tags, String help, String baseUnit) {

        static MeterSpec counter(String name, String help, Tags tags) {
            return new MeterSpec(MeterKind.COUNTER, name, tags, help, null);
        }

        static MeterSpec gauge(String name, String help, Tags tags) {
            return new MeterSpec(MeterKind.GAUGE, name, tags, help, null);
        }
    }

    /** The value a meter reports, held here because Micrometer holds it only weakly. */
    private static final class MeterCell {
        volatile double value;
    }

    /** Configures {@link DentryMetrics}. Not thread-safe; build once. */
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
         * Sets how a cgroup becomes the namespace, pod and container tags. Cgroups that resolve to the
         * same tags are summed into one meter.
         *
         * @param containerResolver thread-safe and cheap: it is called for every cgroup of every read
         * @return this builder
         */
        public Builder containerResolver(ContainerResolver containerResolver) {
            this.containerResolver = Objects.requireNonNull(containerResolver, "containerResolver");
            return this;
        }

        /**
         * Sets the shortest time from the end of one kernel read to the start of the next; meter reads
         * within it, and those that arrive while a read is under way, share that read.
         *
         * @param minReadInterval zero or more; zero reads at every meter read
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
         * Sets how many containers may have their own meters; containers first seen beyond that are summed
         * into {@code container="_other"}, so each per-container meter name has at most this many plus one.
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
         * Sets how long a container that no longer appears in the samples keeps its meters with their last
         * values; longer than the scrape or publish interval, so that its last increase is seen.
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
         * Builds the binder; it reads nothing until it is bound.
         *
         * @return a binder to {@link #bindTo(MeterRegistry) bind} to one or more registries
         */
        public DentryMetrics build() {
            return new DentryMetrics(this);
        }

        /** The resolver used when none is set. The integrator switches this to the core's PathContainerResolver. */
        private static ContainerResolver defaultContainerResolver() {
            return (cgroupId, cgroupPath) -> ContainerIdentity.nonPod(cgroupPath);
        }
    }
}
