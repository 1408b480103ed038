package io.dentrywatch.prometheus;

import io.dentrywatch.oom.OomStats;
import io.dentrywatch.core.export.FamilyReader;
import io.dentrywatch.core.export.OomAdapterBuilder;
import io.prometheus.metrics.model.registry.MultiCollector;

import java.util.function.Supplier;

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
 * kill; containers past {@link OomAdapterBuilder#maxContainerSeries(int)} are summed into {@code container="_other"};
 * a container not killed for {@link OomAdapterBuilder#seriesRetention(java.time.Duration)} drops out until its next
 * kill. Thread-safe.
 *
 * <p>The bookkeeping, and the families it makes of every reading ({@link FamilyReader}), are dentry-core's,
 * shared with dentry-micrometer; this class maps each family's type to a snapshot.
 */
public final class OomCollector extends ReadingCollector implements MultiCollector {

    private OomCollector(FamilyReader reader) {
        super(reader, Families.OOM);
    }

    /**
     * Starts a collector over the OOM watcher's counts.
     *
     * @param stats called at every scrape; typically {@code watcher::stats}, a cheap snapshot
     * @return a builder; set the node, the rest has defaults: identity from the cgroup path, 1000
     *         container series, a day of retention, nothing degraded
     */
    public static OomAdapterBuilder<OomCollector> builder(Supplier<OomStats> stats) {
        return new OomAdapterBuilder<>(stats, OomCollector::new);
    }
}
