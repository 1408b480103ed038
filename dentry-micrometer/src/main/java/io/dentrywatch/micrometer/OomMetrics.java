package io.dentrywatch.micrometer;

import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.oom.OomStats;
import io.dentrywatch.core.export.MetricFamily;
import io.dentrywatch.core.export.OomAdapterBuilder;
import io.dentrywatch.core.export.OomReading;
import io.dentrywatch.core.export.OomSeries;
import io.dentrywatch.core.export.OomSeriesBook;
import io.dentrywatch.core.export.SeriesLabels;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Binds the OOM watcher's kills to Micrometer: {@code oom.kills} (function counters) and the gauges
 * {@code oom.memory.usage} (bytes, tagged {@code memory.type}) and {@code oom.last.timestamp}, per container
 * tagged {@code node}, {@code namespace}, {@code pod} and {@code container}; {@code oom.kills.per.node} and
 * {@code oom.lost.events} tagged {@code node}; {@code oom.watcher.degraded.info} tagged {@code node} and
 * {@code reason}. Through Micrometer's Prometheus registry they are dentry-prometheus's {@code OomCollector}
 * families, byte for byte; see this module's README.
 *
 * <pre>{@code
 * OomMetrics metrics = OomMetrics.builder(watcher::stats)
 *         .node(System.getenv("NODE_NAME"))
 *         .containerResolver(resolver)
 *         .degraded(watcher.degraded())
 *         .build();
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <p>The watcher's counts are read when a registry reads a meter; {@link #refresh()} reads and updates the
 * meters on demand. A container's meters come with its first kill and are removed from every registry when
 * its series goes (no kill for {@link Builder#seriesRetention(java.time.Duration)}). Thread-safe.
 *
 * <p>The bookkeeping is dentry-core's {@link OomSeriesBook}, shared with dentry-prometheus; this class maps
 * it to meters.
 */
public final class OomMetrics extends BoundMeters<OomReading> implements MeterBinder, AutoCloseable {

    private OomMetrics(OomSeriesBook book) {
        super("OomMetrics", book::read, OomMetrics::meters);
    }

    /**
     * Starts a binder over the OOM watcher's counts.
     *
     * @param stats called when meters are read; typically {@code watcher::stats}, a cheap snapshot
     * @return a builder; set the node, the rest has defaults: identity from the cgroup path, 1000
     *         container series, a day of retention, nothing degraded
     */
    public static Builder builder(Supplier<OomStats> stats) {
        return new Builder(stats);
    }

    /** Every meter the reading calls for, with its value: the Micrometer twin of OomCollector's snapshots. */
    private static Map<MeterSpec, MeterValue> meters(OomReading reading) {
        String node = reading.node();
        Map<MeterSpec, MeterValue> meters = new LinkedHashMap<>();
        for (OomSeries series : reading.series()) {
            SeriesLabels s = series.labels();
            meters.put(MeterSpec.of(MetricFamily.OOM_KILLS, node, s.namespace(), s.pod(), s.container()),
                    MeterValue.of(series.kills()));
            for (MemoryType type : MemoryType.values()) {
                series.lastKill().bytes(type).ifPresent(bytes -> meters.put(MeterSpec.of(MetricFamily.OOM_MEMORY_USAGE,
                        node, s.namespace(), s.pod(), s.container(), type.label()), MeterValue.of(bytes)));
            }
            meters.put(MeterSpec.of(MetricFamily.OOM_LAST_TIMESTAMP, node, s.namespace(), s.pod(), s.container()),
                    MeterValue.of(series.lastKillSeconds()));
        }
        meters.put(MeterSpec.of(MetricFamily.OOM_KILLS_PER_NODE, node), MeterValue.of(reading.kills()));
        meters.put(MeterSpec.of(MetricFamily.OOM_LOST_EVENTS, node), MeterValue.of(reading.lostEvents()));
        for (String reason : reading.degraded()) {
            meters.put(MeterSpec.of(MetricFamily.OOM_DEGRADED, node, reason), MeterValue.of(1));
        }
        return meters;
    }

    /**
     * Configures {@link OomMetrics}: the options and {@code build()} are
     * {@link OomAdapterBuilder}'s, shared with dentry-prometheus. Not thread-safe; build once.
     */
    public static final class Builder extends OomAdapterBuilder<Builder, OomMetrics> {

        private Builder(Supplier<OomStats> stats) {
            super(stats, OomMetrics::new);
        }

        /** Replaces the clock the retention is measured by; for this package's tests. */
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
