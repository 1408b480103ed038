package io.dentrywatch.prometheus;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What {@link DentryCollector} and {@link OomCollector} are: a collector that takes the current reading
 * from its source at every scrape and maps it to snapshots of the families it declares. A subclass gives
 * the source, the mapping and the families.
 *
 * @param <R> the reading type
 */
abstract sealed class ReadingCollector<R> implements MultiCollector permits DentryCollector, OomCollector {

    private final Supplier<R> source;
    private final Function<R, MetricSnapshots> snapshots;
    private final List<MetricFamilyDescriptor> families;

    /**
     * @param source    the current reading; called at every scrape
     * @param snapshots every family the reading calls for
     * @param families  every family the collector can emit
     */
    ReadingCollector(Supplier<R> source, Function<R, MetricSnapshots> snapshots, List<MetricFamilyDescriptor> families) {
        this.source = source;
        this.snapshots = snapshots;
        this.families = families;
    }

    /**
     * Reads and returns the families that have something to say: {@link DentryCollector} reads the kernel if
     * its last read is older than the minimum interval, {@link OomCollector} reads the watcher's counts.
     */
    @Override
    public final MetricSnapshots collect() {
        return snapshots.apply(source.get());
    }

    /** The families this collector can emit, so that a registry rejects a second one with the same names. */
    @Override
    public final List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
        return families;
    }
}
