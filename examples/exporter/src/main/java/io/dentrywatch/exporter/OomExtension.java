package io.dentrywatch.exporter;

import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.oom.OomStats;
import io.dentrywatch.oom.OomWatcher;
import io.dentrywatch.prometheus.OomCollector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The OOM-kill extension: dentry-core's {@link OomWatcher} behind dentry-prometheus's {@link OomCollector}
 * (the {@code oom_*} families, labelled {@code node=NODE_NAME}, containers named by the exporter's resolver),
 * and a log line per kill ({@link OomKills}). If the watcher cannot be opened (no BPF privileges, a kernel
 * without what it needs), the exporter runs on without the {@code oom_*} families: a WARN line and
 * {@code /healthz} say why. {@code OOM_WATCHER=off} leaves it out altogether.
 */
final class OomExtension implements ExporterExtension {

    private static final Logger LOG = LoggerFactory.getLogger(OomExtension.class);
    private static final MultiCollector NOTHING = () -> MetricSnapshots.of();

    private final Optional<OomWatcher> watcher;
    private final MultiCollector collector;
    private final String unavailable;

    private OomExtension(Optional<OomWatcher> watcher, MultiCollector collector, String unavailable) {
        this.watcher = watcher;
        this.collector = collector;
        this.unavailable = unavailable;
    }

    /**
     * The {@link ExtensionFactory} of {@link Extensions#builtIn()}: opens the watcher unless
     * {@link ExporterConfig#oomWatcher()} is off.
     *
     * @return the extension, watching or saying why it cannot; empty when turned off
     */
    static Optional<ExporterExtension> open(ExporterConfig config, ContainerResolver resolver) {
        if (!config.oomWatcher()) {
            LOG.info("OOM watcher off (OOM_WATCHER=off): no oom_* families, no OOM kill lines");
            return Optional.empty();
        }
        OomWatcher watcher;
        try {
            watcher = OomWatcher.builder()
                    .procRoot(config.procRoot())
                    .listener(kill -> OomKills.log(kill, resolver.resolve(kill.cgroupId(), kill.cgroupPath())))
                    .build();
        } catch (RuntimeException e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.toString();
            LOG.warn("OOM watcher unavailable, the exporter runs without the oom_* families: {}", reason);
            return Optional.of(new OomExtension(Optional.empty(), NOTHING, reason));
        }
        try {
            OomCollector collector = OomCollector.builder(watcher::stats)
                    .node(config.nodeName())
                    .containerResolver(resolver)
                    .maxContainerSeries(config.maxContainerSeries())
                    .degraded(watcher.degraded())
                    .build();
            return Optional.of(new OomExtension(Optional.of(watcher), collector, ""));
        } catch (RuntimeException e) {
            watcher.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "oom";
    }

    @Override
    public MultiCollector collector() {
        return collector;
    }

    /** {@code watching: 2 kills, 0 lost events since start} (and what is degraded), or {@code not watching: <why>}. */
    @Override
    public String status() {
        return watcher.map(w -> {
            OomStats stats = w.stats();
            String status = "watching: " + stats.kills() + " kills, " + stats.lostEvents() + " lost events since start";
            return w.degraded().isEmpty() ? status : status + "; degraded: " + String.join("; ", w.degraded());
        }).orElse("not watching, no oom_* families: " + unavailable);
    }

    @Override
    public void close() {
        watcher.ifPresent(OomWatcher::close);
    }
}
