package io.dentrywatch.micrometer;

import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.export.AdapterBuilder;
import io.dentrywatch.core.export.FamilyReader;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
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
 * {@link AdapterBuilder#minReadInterval(Duration)}; {@link #refresh()} reads and updates the meters on demand.
 * Containers first seen past {@link AdapterBuilder#maxContainerSeries(int)} are summed into
 * {@code container="_other"}, and a container keeps its place for its whole life so that no counter
 * ever decreases. A container that goes away keeps its meters for
 * {@link AdapterBuilder#deletedSeriesGrace(Duration)}, then they are removed from every registry.
 * Thread-safe.
 *
 * <p>The bookkeeping behind this (read throttling, series cap, grace, monotonic counts) is dentry-core's
 * {@link io.dentrywatch.core.export}, shared with dentry-prometheus, which also turns every reading into
 * families ({@link FamilyReader}); this module maps each family's type to meters.
 */
public final class DentryMetrics extends BoundMeters implements MeterBinder, AutoCloseable {

    private DentryMetrics(FamilyReader reader) {
        super("DentryMetrics", reader);
    }

    /**
     * Starts a binder over a sample source.
     *
     * @param sampleSource called when meters are read, at most once per minimum read interval;
     *                     typically {@code sampler::sample}
     * @return a builder with the defaults: identity from the cgroup path, 1 s minimum read interval, 1000
     *         container series, 5 minutes of grace
     */
    public static AdapterBuilder<DentryMetrics> builder(Supplier<DentrySample> sampleSource) {
        return new AdapterBuilder<>(sampleSource, DentryMetrics::new);
    }
}
