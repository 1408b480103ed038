package io.dentrywatch.micrometer;

import io.dentrywatch.core.export.FamilyReader;
import io.dentrywatch.core.export.FamilyReading;
import io.dentrywatch.core.export.FamilyReading.Point;
import io.dentrywatch.core.export.MetricFamily;
import io.dentrywatch.core.export.ReclaimDurationHistogram;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@link DentryMetrics} and {@link OomMetrics} are: a binder whose meters, in every registry it is
 * bound to, are kept in step with the families its reader exports, each family's type mapped to meters.
 * A subclass gives its reader. Every meter's function asks the reader for the current families (so a scrape
 * is what reads), and families not applied yet update every meter's value, register the meters they add
 * and remove those they no longer have. The values live here, strongly held, because Micrometer holds a
 * meter's state only weakly. Thread-safe.
 */
abstract sealed class BoundMeters implements MeterBinder, AutoCloseable permits DentryMetrics, OomMetrics {

    private final String owner;
    private final FamilyReader source;
    private final ReentrantLock meterLock = new ReentrantLock();

    // guarded by meterLock
    private final Map<MeterSpec, MeterCell> cells = new LinkedHashMap<>();
    private final Map<MeterRegistry, Map<MeterSpec, Meter>> registries = new IdentityHashMap<>();
    private volatile boolean closed;

    /** The families the cells hold; read without the lock to skip work when nothing is new. */
    private volatile List<FamilyReading> applied;

    /**
     * @param owner  the binder's name, for the error when it is bound after close
     * @param source the families to export now, the same list while the reading is the same; read by every
     *               meter read
     */
    BoundMeters(String owner, FamilyReader source) {
        this.owner = owner;
        this.source = source;
    }

    /**
     * Reads (as {@link #refresh()} does) and registers this binder's meters with the registry; may be
     * called for several registries.
     *
     * @throws IllegalStateException if this binder is closed
     */
    @Override
    public final void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        List<FamilyReading> families = source.read();
        meterLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException(owner + " is closed");
            }
            registries.putIfAbsent(registry, new HashMap<>());
            update(families);
        } finally {
            meterLock.unlock();
        }
    }

    /**
     * Reads and updates every meter: values, containers that appeared, containers whose series went (past
     * their grace or retention). {@link DentryMetrics} reads the kernel unless its last read is younger than
     * the minimum interval; {@link OomMetrics} reads the watcher's counts. Registries read through the
     * meters anyway; call this before a scrape to make the scrape show containers that appeared since the
     * last one.
     */
    public final void refresh() {
        List<FamilyReading> families = source.read();
        meterLock.lock();
        try {
            update(families);
        } finally {
            meterLock.unlock();
        }
    }

    /** Removes this binder's meters from every registry it was bound to; it reads nothing more. */
    @Override
    public final void close() {
        meterLock.lock();
        try {
            closed = true;
            registries.forEach((registry, bound) -> bound.values().forEach(registry::remove));
            registries.clear();
            cells.clear();
        } finally {
            meterLock.unlock();
        }
    }

    /** A meter's value: what every meter's function calls before it answers, as a scrape is what reads. */
    private double read(MeterCell cell) {
        return current(cell).value();
    }

    /** A timer's total time, in seconds. */
    private double readSeconds(MeterCell cell) {
        return current(cell).seconds();
    }

    /** The cell's values once the current reading is applied, if that needs no waiting for the lock. */
    private MeterValue current(MeterCell cell) {
        if (closed) {
            return cell.value;
        }
        List<FamilyReading> families = source.read();
        // never wait here (a registry may hold its own lock while it reads meters), nor re-enter an update
        if (families != applied && !meterLock.isHeldByCurrentThread() && meterLock.tryLock()) {
            try {
                update(families);
            } finally {
                meterLock.unlock();
            }
        }
        return cell.value;
    }

    private void update(List<FamilyReading> families) {
        if (closed) {
            return;
        }
        if (families != applied) {
            Map<MeterSpec, MeterValue> wanted = meters(families);
            for (Iterator<Map.Entry<MeterSpec, MeterCell>> it = cells.entrySet().iterator(); it.hasNext(); ) {
                MeterSpec spec = it.next().getKey();
                if (!wanted.containsKey(spec)) {
                    it.remove();
                    registries.forEach((registry, bound) -> {
                        Meter meter = bound.remove(spec);
                        if (meter != null) {
                            registry.remove(meter);
                        }
                    });
                }
            }
            wanted.forEach((spec, value) -> cells.computeIfAbsent(spec, s -> new MeterCell()).value = value);
            applied = families;
        }
        registries.forEach((registry, bound) -> cells.forEach((spec, cell) ->
                bound.computeIfAbsent(spec, s -> register(registry, s, cell))));
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

    /** Every meter the families call for, with its value: each family's type mapped to meters. */
    private static Map<MeterSpec, MeterValue> meters(List<FamilyReading> families) {
        Map<MeterSpec, MeterValue> meters = new LinkedHashMap<>();
        for (FamilyReading reading : families) {
            MetricFamily family = reading.family();
            if (family.type() == MetricFamily.Type.HISTOGRAM) {
                histogramMeters(family, reading.histogram().orElseThrow(), meters);
                continue;
            }
            for (Point point : reading.points()) { // counters, gauges and info: one meter a series
                meters.put(MeterSpec.of(family, point.labelValues()), MeterValue.of(point.value()));
            }
        }
        return meters;
    }

    /**
     * A histogram in Micrometer's terms. Micrometer builds histogram buckets only from the values a Timer
     * records itself and has no meter for counts bucketed elsewhere; so the count and sum are a
     * {@code FunctionTimer} (rendered by the Prometheus registry as
     * {@code node_dentry_reclaim_duration_seconds_count} and {@code _sum}, typed summary), and the
     * cumulative buckets are function counters {@code node.dentry.reclaim.duration.buckets} tagged
     * {@code upper.bound}.
     */
    private static void histogramMeters(MetricFamily family, ReclaimDurationHistogram histogram,
                                        Map<MeterSpec, MeterValue> meters) {
        meters.put(MeterSpec.of(family, List.of()), new MeterValue(histogram.count(), histogram.sumSeconds()));
        for (int i = 0; i < histogram.upperBounds().size(); i++) {
            meters.put(MeterSpec.bucket(family, histogram.upperBounds().get(i)),
                    MeterValue.of(histogram.cumulativeCounts().get(i)));
        }
        meters.put(MeterSpec.bucket(family, Double.POSITIVE_INFINITY), MeterValue.of(histogram.count()));
    }

    /** The value a meter reports, held here because Micrometer holds it only weakly. */
    private static final class MeterCell {
        volatile MeterValue value = MeterValue.of(0);
    }
}
