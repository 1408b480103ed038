package io.dentrywatch.prometheus;

import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.oom.OomStats;
import io.dentrywatch.core.export.MetricFamily;
import io.dentrywatch.core.export.OomAdapterBuilder;
import io.dentrywatch.core.export.OomReading;
import io.dentrywatch.core.export.OomSeries;
import io.dentrywatch.core.export.OomSeriesBook;
import io.dentrywatch.core.export.SeriesLabels;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static io.dentrywatch.prometheus.Snapshots.counter;
import static io.dentrywatch.prometheus.Snapshots.counterPoint;
import static io.dentrywatch.prometheus.Snapshots.gauge;
import static io.dentrywatch.prometheus.Snapshots.gaugePoint;
import static io.dentrywatch.prometheus.Snapshots.info;
import static io.dentrywatch.prometheus.Snapshots.labels;

/**
 * Exposes the OOM watcher's kills to a Prometheus client_java registry, read at scrape time: the
 * contract's {@code oom_kills_total}, {@code oom_kills_per_node_total}, {@code oom_memory_usage_bytes}
 * and {@code oom_last_timestamp}, plus {@code oom_lost_events_total} and {@code oom_watcher_degraded_info},
 * every one labelled with the node. See this module's README for the table and the rules.
 *
 * <pre>{@code
 * OomCollector collector = OomCollector.builder(watcher::stats)
 *         .node(System.getenv("NODE_NAME"))
 *         .containerResolver(resolver)          // the one the DentryCollector uses
 *         .degraded(watcher.degraded())
 *         .build();
 * PrometheusRegistry.defaultRegistry.register(collector);
 * }</pre>
 *
 * <p>Cgroups resolving to one container are summed (kills) and give the memory and time of their latest
 * kill; containers past {@link Builder#maxContainerSeries(int)} are summed into {@code container="_other"};
 * a container not killed for {@link Builder#seriesRetention(java.time.Duration)} drops out until its next
 * kill. Thread-safe.
 *
 * <p>The bookkeeping is dentry-core's {@link OomSeriesBook}, shared with dentry-micrometer; this class maps
 * it to snapshots.
 */
public final class OomCollector extends ReadingCollector<OomReading> implements MultiCollector {

    private OomCollector(OomSeriesBook book) {
        super(book::read, OomCollector::snapshots, Families.OOM);
    }

    /**
     * Starts a collector over the OOM watcher's counts.
     *
     * @param stats called at every scrape; typically {@code watcher::stats}, a cheap snapshot
     * @return a builder; set the node, the rest has defaults: identity from the cgroup path, 1000
     *         container series, a day of retention, nothing degraded
     */
    public static Builder builder(Supplier<OomStats> stats) {
        return new Builder(stats);
    }

    private static MetricSnapshots snapshots(OomReading reading) {
        String node = reading.node();
        List<CounterDataPointSnapshot> kills = new ArrayList<>();
        List<GaugeDataPointSnapshot> memory = new ArrayList<>();
        List<GaugeDataPointSnapshot> lastKill = new ArrayList<>();
        for (OomSeries series : reading.series()) {
            SeriesLabels s = series.labels();
            kills.add(counterPoint(series.kills(), labels(MetricFamily.OOM_KILLS, node, s.namespace(), s.pod(),
                    s.container())));
            for (MemoryType type : MemoryType.values()) {
                series.lastKill().bytes(type).ifPresent(bytes -> memory.add(gaugePoint(bytes, labels(
                        MetricFamily.OOM_MEMORY_USAGE, node, s.namespace(), s.pod(), s.container(), type.label()))));
            }
            lastKill.add(gaugePoint(series.lastKillSeconds(), labels(MetricFamily.OOM_LAST_TIMESTAMP, node,
                    s.namespace(), s.pod(), s.container())));
        }
        List<MetricSnapshot> snapshots = new ArrayList<>();
        if (!kills.isEmpty()) {
            snapshots.add(counter(MetricFamily.OOM_KILLS, kills));
            snapshots.add(gauge(MetricFamily.OOM_LAST_TIMESTAMP, lastKill));
        }
        if (!memory.isEmpty()) {
            snapshots.add(gauge(MetricFamily.OOM_MEMORY_USAGE, memory));
        }
        snapshots.add(counter(MetricFamily.OOM_KILLS_PER_NODE,
                List.of(counterPoint(reading.kills(), labels(MetricFamily.OOM_KILLS_PER_NODE, node)))));
        snapshots.add(counter(MetricFamily.OOM_LOST_EVENTS,
                List.of(counterPoint(reading.lostEvents(), labels(MetricFamily.OOM_LOST_EVENTS, node)))));
        if (!reading.degraded().isEmpty()) {
            List<Labels> reasons = reading.degraded().stream().distinct()
                    .map(reason -> labels(MetricFamily.OOM_DEGRADED, node, reason)).toList();
            snapshots.add(info(MetricFamily.OOM_DEGRADED, reasons));
        }
        return new MetricSnapshots(snapshots);
    }

    /**
     * Configures an {@link OomCollector}: the options and {@code build()} are
     * {@link OomAdapterBuilder}'s, shared with dentry-micrometer. Not thread-safe; build once.
     */
    public static final class Builder extends OomAdapterBuilder<Builder, OomCollector> {

        private Builder(Supplier<OomStats> stats) {
            super(stats, OomCollector::new);
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
