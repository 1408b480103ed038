package io.dentrywatch.prometheus;

import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.export.AdapterBuilder;
import io.dentrywatch.core.export.FamilyReader;
import io.prometheus.metrics.model.registry.MultiCollector;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Exposes dentrywatch samples to a Prometheus client_java registry, reading the kernel at scrape
 * time. Families, names and labels follow the metric contract (the repository README's "Metrics" section); see this module's README
 * for the table.
 *
 * <pre>{@code
 * DentryCollector collector = DentryCollector.builder(sampler::sample)
 *         .containerResolver(resolver)
 *         .build();
 * PrometheusRegistry.defaultRegistry.register(collector);
 * }</pre>
 *
 * <p>Scrapes closer together than {@link AdapterBuilder#minReadInterval(Duration)} share one kernel read.
 * Container series are capped by {@link AdapterBuilder#maxContainerSeries(int)}: containers first seen
 * once the cap is reached are summed into {@code container="_other"}, and a container keeps its
 * place for its whole life so that no counter ever decreases. A container that goes away stays
 * exported for {@link AdapterBuilder#deletedSeriesGrace(Duration)}. Thread-safe.
 *
 * <p>The bookkeeping behind this (read throttling, series cap, grace, monotonic counts) is dentry-core's
 * {@link io.dentrywatch.core.export}, shared with dentry-micrometer, which also turns every reading into
 * families ({@link FamilyReader}); this class maps each family's type to a snapshot.
 */
public final class DentryCollector extends ReadingCollector implements MultiCollector {

    private DentryCollector(FamilyReader reader) {
        super(reader, Families.SAMPLER);
    }

    /**
     * Starts a collector over a sample source.
     *
     * @param sampleSource called at scrape time, at most once per minimum read interval; typically
     *                     {@code sampler::sample}
     * @return a builder with the defaults: identity from the cgroup path, 1 s minimum read interval, 1000
     *         container series, 5 minutes of grace
     */
    public static AdapterBuilder<DentryCollector> builder(Supplier<DentrySample> sampleSource) {
        return new AdapterBuilder<>(sampleSource, DentryCollector::new);
    }
}
