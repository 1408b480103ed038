package io.dentrywatch.exporter;

import io.prometheus.metrics.model.registry.MultiCollector;

/**
 * More metric families served on {@code /metrics} beside the dentry families, with the exporter's
 * lifecycle: an {@link ExtensionFactory} opens it once the sampler is open, its collector is
 * registered on the exporter's registry, and it is closed at shutdown, after the HTTP server stops
 * and before the sampler closes. The OOM-kill collector (the {@code oom_*} families of the metric
 * contract) plugs in here; see {@link Extensions}.
 */
public interface ExporterExtension extends AutoCloseable {

    /**
     * A short name for the log and {@code /healthz}.
     *
     * @return for example {@code oom}
     */
    String name();

    /**
     * The collector to register. Its families must not clash with the dentry families, and its
     * {@code collect()} must not throw: a failure there fails the whole scrape.
     *
     * @return the collector; the same instance every time
     */
    MultiCollector collector();

    /**
     * A line for {@code /healthz}, asked for at each request.
     *
     * @return what it watches now, or why it cannot
     */
    String status();

    /** Stops it and releases what it holds (probes, threads). Called once. */
    @Override
    void close();
}
