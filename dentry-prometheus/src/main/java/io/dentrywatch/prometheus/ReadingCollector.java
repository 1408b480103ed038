package io.dentrywatch.prometheus;

import io.dentrywatch.core.export.FamilyReader;
import io.dentrywatch.core.export.FamilyReading;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.List;

/**
 * What {@link DentryCollector} and {@link OomCollector} are: a collector that reads the families to export
 * at every scrape and maps them to snapshots ({@link Snapshots}). Scrapes that share a reading (within the
 * minimum read interval) share its snapshots, which are immutable, so a burst of scrapers costs one mapping
 * per reading. A subclass gives its reader and the families it declares.
 */
abstract sealed class ReadingCollector implements MultiCollector permits DentryCollector, OomCollector {

    private final FamilyReader reader;
    private final List<MetricFamilyDescriptor> families;
    /** The last reading's families and their snapshots, published together. */
    private volatile Mapped last = new Mapped(null, Snapshots.first(), null);

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
        List<FamilyReading> read = reader.read();
        Mapped mapped = last;
        if (mapped.families() != read) { // a new reading; two scrapes that find it at once may both map it
            Snapshots snapshots = mapped.snapshots().next();
            mapped = new Mapped(read, snapshots, snapshots.of(read));
            last = mapped;
        }
        return mapped.result();
    }

    /**
     * A reading's families (by identity: {@link FamilyReader#read()} returns the same list for the same reading),
     * the mapper that made their snapshots (holding its label sets for the next reading), and the snapshots.
     */
    private record Mapped(List<FamilyReading> families, Snapshots snapshots, MetricSnapshots result) {
    }

    /** The families this collector can emit, so that a registry rejects a second one with the same names. */
    @Override
    public final List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
        return families;
    }
}
