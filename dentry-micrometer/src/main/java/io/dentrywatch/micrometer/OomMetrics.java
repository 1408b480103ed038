package io.dentrywatch.micrometer;

import io.dentrywatch.oom.OomStats;
import io.dentrywatch.core.export.FamilyReader;
import io.dentrywatch.core.export.OomAdapterBuilder;
import io.micrometer.core.instrument.binder.MeterBinder;

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
 * its series goes (no kill for {@link OomAdapterBuilder#seriesRetention(java.time.Duration)}). Thread-safe.
 *
 * <p>The bookkeeping, and the families it makes of every reading ({@link FamilyReader}), are dentry-core's,
 * shared with dentry-prometheus; this module maps each family's type to meters.
 */
public final class OomMetrics extends BoundMeters implements MeterBinder, AutoCloseable {

    private OomMetrics(FamilyReader reader) {
        super("OomMetrics", reader);
    }

    /**
     * Starts a binder over the OOM watcher's counts.
     *
     * @param stats called when meters are read; typically {@code watcher::stats}, a cheap snapshot
     * @return a builder; set the node, the rest has defaults: identity from the cgroup path, 1000
     *         container series, a day of retention, nothing degraded
     */
    public static OomAdapterBuilder<OomMetrics> builder(Supplier<OomStats> stats) {
        return new OomAdapterBuilder<>(stats, OomMetrics::new);
    }
}
