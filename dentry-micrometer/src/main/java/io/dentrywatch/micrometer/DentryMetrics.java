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
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
public final class DentryMetrics implements MeterBinder, AutoCloseable {

    private final ThrottledSampler sampler;
    private final ReentrantLock meterLock = new ReentrantLock();

    // guarded by meterLock; Micrometer references its meters' state weakly, so the cells live here
    private final Map<MeterSpec, MeterCell> cells = new LinkedHashMap<>();
    private final Map<MeterRegistry, Map<MeterSpec, Meter>> registries = new IdentityHashMap<>();
    private volatile boolean closed;

    /** The reading the cells hold; read without the lock to skip work when nothing is new. */
    private volatile Reading applied;

    private DentryMetrics(ThrottledSampler sampler) {
        this.sampler = sampler;
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

    /** A meter's value: what every meter's function calls before it answers, as a scrape is what reads the kernel. */
    private double read(MeterCell cell) {
        return current(cell).value();
    }

    /** A timer's total time, in seconds. */
    private double readSeconds(MeterCell cell) {
        return current(cell).seconds();
    }

    /** The cell's values once the current reading is applied, if that needs no waiting for the lock. */
    private Value current(MeterCell cell) {
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
            Map<MeterSpec, Value> wanted = meters(reading);
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
            case TIMER -> FunctionTimer.builder(spec.name(), cell, c -> (long) read(c), this::readSeconds, TimeUnit.SECONDS)
                    .tags(spec.tags()).description(spec.help()).register(registry);
        };
    }

    /** Every meter the reading calls for, with its value: the Micrometer twin of DentryCollector's snapshots. */
    private static Map<MeterSpec, Value> meters(Reading reading) {
        Map<MeterSpec, Value> meters = new LinkedHashMap<>();
        reading.sample().ifPresent(sample -> sampleMeters(sample, reading, meters));
        meters.put(MeterSpec.of(MetricFamily.CONTAINERS, "own"), Value.of(reading.ownSeries()));
        meters.put(MeterSpec.of(MetricFamily.CONTAINERS, "other"), Value.of(reading.containersInOther()));
        meters.put(MeterSpec.of(MetricFamily.READS), Value.of(reading.reads()));
        meters.put(MeterSpec.of(MetricFamily.READ_ERRORS), Value.of(reading.readErrors()));
        return meters;
    }

    private static void sampleMeters(DentrySample sample, Reading reading, Map<MeterSpec, Value> meters) {
        for (MetricFamily family : MetricFamily.perContainerFamilies()) {
            if (!family.measuredIn(sample)) {
                continue; // absent, not zero: dentry.monitor.family.available says so
            }
            for (ContainerSeries series : reading.series()) {
                SeriesLabels labels = series.labels();
                meters.put(MeterSpec.of(family, labels.namespace(), labels.pod(), labels.container()),
                        Value.of(series.value(family)));
            }
        }

        NodeDentryState node = sample.node();
        meters.put(MeterSpec.of(MetricFamily.NODE_DENTRY_COUNT, "total"), Value.of(node.total()));
        meters.put(MeterSpec.of(MetricFamily.NODE_DENTRY_COUNT, "unused"), Value.of(node.unused()));
        node.negative().ifPresent(negative ->
                meters.put(MeterSpec.of(MetricFamily.NODE_DENTRY_COUNT, "negative"), Value.of(negative)));
        for (MetricFamily family : MetricFamily.nodeCounters()) {
            if (family.measuredIn(sample)) {
                meters.put(MeterSpec.of(family), Value.of(reading.nodeCount(family)));
            }
        }
        if (MetricFamily.NODE_DENTRY_RECLAIM_DURATION.measuredIn(sample)) {
            reclaimDurationMeters(reading.reclaimDuration(), meters);
        }

        SamplerInfo info = sample.info();
        meters.put(MeterSpec.of(MetricFamily.MONITOR_INFO, info.mode().name().toLowerCase(Locale.ROOT), info.kernel(),
                info.cgroupMode(), info.version()), Value.of(1));
        meters.put(MeterSpec.of(MetricFamily.MONITOR_CGROUP_KEY, info.cgroupKey().name().toLowerCase(Locale.ROOT)),
                Value.of(1));
        for (String reason : info.degraded()) {
            meters.put(MeterSpec.of(MetricFamily.MONITOR_DEGRADED, reason), Value.of(1));
        }
        for (MetricFamily family : MetricFamily.measurable()) {
            meters.put(MeterSpec.of(MetricFamily.FAMILY_AVAILABLE, family.prometheusName()),
                    Value.of(family.measuredIn(sample) ? 1 : 0));
        }
        meters.put(MeterSpec.of(MetricFamily.TRACKED_CGROUPS), Value.of(sample.cgroups().size()));
        meters.put(MeterSpec.of(MetricFamily.MAP_FULL_DROPS), Value.of(reading.mapFullDrops()));
        meters.put(MeterSpec.of(MetricFamily.SAMPLE_DURATION), Value.of(sample.readTime().toNanos() / 1e9));
        meters.put(MeterSpec.of(MetricFamily.SAMPLE_TIMESTAMP), Value.of(sample.time().toEpochMilli() / 1e3));
    }

    /**
     * The reclaim duration histogram in Micrometer's terms. Micrometer builds histogram buckets only from
     * the values a Timer records itself and has no meter for counts bucketed elsewhere; so the count and
     * sum are a {@code FunctionTimer} (rendered by the Prometheus registry as
     * {@code node_dentry_reclaim_duration_seconds_count} and {@code _sum}, typed summary), and the
     * cumulative buckets are function counters {@code node.dentry.reclaim.duration.buckets} tagged
     * {@code upper.bound}.
     */
    private static void reclaimDurationMeters(ReclaimDurationHistogram histogram, Map<MeterSpec, Value> meters) {
        MetricFamily family = MetricFamily.NODE_DENTRY_RECLAIM_DURATION;
        meters.put(MeterSpec.of(family), new Value(histogram.count(), histogram.sumSeconds()));
        for (int i = 0; i < histogram.upperBounds().size(); i++) {
            meters.put(MeterSpec.bucket(family, histogram.upperBounds().get(i)), Value.of(histogram.cumulativeCounts().get(i)));
        }
        meters.put(MeterSpec.bucket(family, Double.POSITIVE_INFINITY), Value.of(histogram.count()));
    }

    /** How a meter is registered. */
    private enum MeterKind { COUNTER, GAUGE, SECONDS, TIMER }

    /**
     * What a meter reports.
     *
     * @param value   the value; a timer's count
     * @param seconds a timer's total time; 0 for other meters
     */
    private record Value(double value, double seconds) {
        static Value of(double value) {
            return new Value(value, 0);
        }
    }

    /** Everything that identifies a meter and how to register it; equal specs are the same meter. */
    private record MeterSpec(MeterKind kind, String name, Tags tags, String help, String baseUnit) {

        /**
         * The meter of one series of a family: the family's tag names, in the catalogue's order, with
         * these values. A duration in seconds is a {@code TimeGauge}; other gauges keep their base unit.
         */
        static MeterSpec of(MetricFamily family, String... tagValues) {
            List<String> labelNames = family.labelNames();
            String[] tags = new String[2 * labelNames.size()];
            for (int i = 0; i < labelNames.size(); i++) {
                tags[2 * i] = MeterNames.tag(labelNames.get(i));
                tags[2 * i + 1] = tagValues[i];
            }
            MeterKind kind = switch (family.type()) {
                case COUNTER -> MeterKind.COUNTER;
                case GAUGE, INFO -> family == MetricFamily.SAMPLE_DURATION ? MeterKind.SECONDS : MeterKind.GAUGE;
                case HISTOGRAM -> MeterKind.TIMER;
            };
            String baseUnit = kind == MeterKind.GAUGE && !family.unit().isEmpty() ? family.unit() : null;
            return new MeterSpec(kind, MeterNames.name(family), Tags.of(tags), family.help(), baseUnit);
        }

        /** One cumulative bucket of a histogram family: a counter tagged with its upper bound, as Prometheus writes {@code le}. */
        static MeterSpec bucket(MetricFamily family, double upperBound) {
            String bound = upperBound == Double.POSITIVE_INFINITY ? "+Inf" : Double.toString(upperBound);
            return new MeterSpec(MeterKind.COUNTER, MeterNames.buckets(family), Tags.of(MeterNames.UPPER_BOUND, bound),
                    MeterNames.bucketsHelp(family), null);
        }
    }

    /** The value a meter reports, held here because Micrometer holds it only weakly. */
    private static final class MeterCell {
        volatile Value value = Value.of(0);
    }

    /**
     * Configures {@link DentryMetrics}: the options are {@link AdapterBuilder}'s, shared with
     * dentry-prometheus. Not thread-safe; build once.
     */
    public static final class Builder extends AdapterBuilder<Builder> {

        private Builder(Supplier<DentrySample> sampleSource) {
            super(sampleSource);
        }

        /** Replaces the clock that paces reads and grace periods; for this package's tests. */
        @Override
        protected Builder clock(InstantSource clock) {
            return super.clock(clock);
        }

        /**
         * Builds the binder; it reads nothing until it is bound.
         *
         * @return a binder to {@link #bindTo(MeterRegistry) bind} to one or more registries
         */
        public DentryMetrics build() {
            return new DentryMetrics(newSampler());
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
