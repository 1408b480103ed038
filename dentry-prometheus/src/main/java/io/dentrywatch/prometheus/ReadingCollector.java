package io.dentrywatch.prometheus;

import io.dentrywatch.core.export.FamilyReader;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.List;

/**
 * What {@link DentryCollector} and {@link OomCollector} are: a collector that reads the families to export
 * at every scrape and maps them to snapshots ({@link Snapshots}). A subclass gives its reader and the families
 * it declares.
 */
abstract sealed class ReadingCollector implements MultiCollector permits DentryCollector, OomCollector {

    private final FamilyReader reader;
    private final List<MetricFamilyDescriptor> families;

    /**
     * @param reader   the families to export now; read at every scrape
     * @param families every family the collector can emit
     */
    ReadingCollector(FamilyReader reader, List<MetricFamilyDescriptor> families) {
        this.reader = reader;
        this.families = families;
    }

    /**
     * Reads and returns the families that have something to say: {@link DentryCollector} reads the kernel if
     * its last read is older than the minimum interval, {@link OomCollector} reads the watcher's counts.
     */
    @Override
    public final MetricSnapshots collect() {
        return Snapshots.of(reader.read());
    }

    /** The families this collector can emit, so that a registry rejects a second one with the same names. */
    @Override
    public final List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
        return families;
    }
}
