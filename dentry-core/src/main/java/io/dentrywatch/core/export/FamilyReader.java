package io.dentrywatch.core.export;

import io.dentrywatch.core.DentrySample;
import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import io.dentrywatch.core.export.FamilyReading.Point;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a metric adapter reads at every scrape (or meter read): the families to export now, as
 * {@link FamilyReading}s, the one place where a {@link Reading} of the dentry sampler or an
 * {@link OomReading} of the OOM watcher becomes series. An adapter gets its reader from
 * {@link AdapterBuilder#build()} or {@link OomAdapterBuilder#build()} and only maps each family's type to
 * its library's snapshot or meter.
 *
 * <p>The families of a reading are made once: reads that share a reading (scrapes within the minimum read
 * interval, an OOM watcher with nothing new) get the same list instance, so an adapter may skip work when
 * {@link #read()} returns the list it last applied. Thread-safe.
 */
public final class FamilyReader {

    private final Supplier<List<FamilyReading>> families;

    private FamilyReader(Supplier<List<FamilyReading>> families) {
        this.families = families;
    }

    /** The families of the dentry sampler's readings. */
    static FamilyReader of(ThrottledSampler sampler) {
        return new FamilyReader(new PerReading<>(sampler::read, FamilyReader::families));
    }

    /** The families of the OOM watcher's readings. */
    static FamilyReader of(OomSeriesBook book) {
        return new FamilyReader(new PerReading<>(book::read, FamilyReader::families));
    }

    /**
     * The families to export now; reads the source (the kernel at most once per minimum read interval, or
     * the OOM watcher's counts).
     *
     * @return the families in the order to export them, each family once; the same instance as long as the
     *         reading is the same
     */
    public List<FamilyReading> read() {
        return families.get();
    }

    /** A dentry sampler's reading as families: the sample's (when there is one), then the reader's own. */
    static List<FamilyReading> families(Reading reading) {
        List<FamilyReading> families = new ArrayList<>();
        reading.sample().ifPresent(sample -> sampleFamilies(sample, reading, families));
        families.add(new FamilyReading(MetricFamily.CONTAINERS, List.of(
                point(reading.ownSeries(), "own"), point(reading.containersInOther(), "other"))));
        families.add(single(MetricFamily.READS, reading.reads()));
        families.add(single(MetricFamily.READ_ERRORS, reading.readErrors()));
        return List.copyOf(families);
    }

    private static void sampleFamilies(DentrySample sample, Reading reading, List<FamilyReading> families) {
        List<ContainerSeries> series = reading.series();
        List<List<String>> labels = new ArrayList<>(series.size()); // one list a container, shared by its families
        for (ContainerSeries container : series) {
            SeriesLabels s = container.labels();
            labels.add(List.of(s.namespace(), s.pod(), s.container()));
        }
        for (MetricFamily family : MetricFamily.perContainerFamilies()) {
            if (!family.measuredIn(sample)) {
                continue; // absent, not zero: dentry_monitor_family_available says so
            }
            List<Point> points = new ArrayList<>(series.size());
            for (int i = 0; i < series.size(); i++) {
                points.add(new Point(labels.get(i), series.get(i).value(family)));
            }
            families.add(new FamilyReading(family, points));
        }

        if (sample.negativeSources().available()) {
            List<Point> sources = new ArrayList<>(reading.negativeSources().size());
            for (SourceSeries s : reading.negativeSources()) {
                sources.add(new Point(List.of(s.labels().namespace(), s.labels().pod(), s.labels().container(),
                        s.directory()), s.value()));
            }
            families.add(new FamilyReading(MetricFamily.DENTRY_NEGATIVE_SOURCES, sources));
        }

        NodeDentryState node = sample.node();
        List<Point> nodePoints = new ArrayList<>(3);
        nodePoints.add(point(node.total(), "total"));
        nodePoints.add(point(node.unused(), "unused"));
        node.negative().ifPresent(negative -> nodePoints.add(point(negative, "negative")));
        families.add(new FamilyReading(MetricFamily.NODE_DENTRY_COUNT, nodePoints));
        for (MetricFamily family : MetricFamily.nodeCounters()) {
            if (family.measuredIn(sample)) {
                families.add(single(family, reading.nodeCount(family)));
            }
        }
        if (MetricFamily.NODE_DENTRY_RECLAIM_DURATION.measuredIn(sample)) {
            families.add(new FamilyReading(MetricFamily.NODE_DENTRY_RECLAIM_DURATION, reading.reclaimDuration()));
        }

        SamplerInfo info = sample.info();
        families.add(new FamilyReading(MetricFamily.MONITOR_INFO, List.of(new Point(List.of(
                info.mode().name().toLowerCase(Locale.ROOT), info.kernel(), info.cgroupMode(), info.version()), 1))));
        families.add(new FamilyReading(MetricFamily.MONITOR_CGROUP_KEY,
                List.of(point(1, info.cgroupKey().name().toLowerCase(Locale.ROOT)))));
        if (!info.degraded().isEmpty()) {
            families.add(new FamilyReading(MetricFamily.MONITOR_DEGRADED,
                    info.degraded().stream().distinct().map(reason -> point(1, reason)).toList()));
        }
        List<Point> available = new ArrayList<>();
        for (MetricFamily family : MetricFamily.measurable()) {
            available.add(point(family.measuredIn(sample) ? 1 : 0, family.prometheusName()));
        }
        families.add(new FamilyReading(MetricFamily.FAMILY_AVAILABLE, available));
        families.add(single(MetricFamily.TRACKED_CGROUPS, sample.cgroups().size()));
        families.add(single(MetricFamily.MAP_FULL_DROPS, reading.mapFullDrops()));
        if (MetricFamily.DENTRY_RESIDENT.measuredIn(sample)) {
            families.add(single(MetricFamily.OWNER_UNKNOWN, reading.ownerUnknown()));
        }
        families.add(single(MetricFamily.SAMPLE_DURATION, sample.readTime().toNanos() / 1e9));
        families.add(single(MetricFamily.SAMPLE_TIMESTAMP, sample.time().toEpochMilli() / 1e3));
    }

    /**
     * An OOM watcher's reading as families, each labelled with the node. The per-container families are
     * absent until a container has had a kill, and {@code oom_memory_usage_bytes} until a kill reported memory.
     */
    static List<FamilyReading> families(OomReading reading) {
        String node = reading.node();
        List<Point> kills = new ArrayList<>();
        List<Point> memory = new ArrayList<>();
        List<Point> lastKill = new ArrayList<>();
        for (OomSeries series : reading.series()) {
            SeriesLabels s = series.labels();
            List<String> labels = List.of(node, s.namespace(), s.pod(), s.container());
            kills.add(new Point(labels, series.kills()));
            for (MemoryType type : MemoryType.values()) {
                series.lastKill().bytes(type).ifPresent(bytes -> memory.add(new Point(
                        List.of(node, s.namespace(), s.pod(), s.container(), type.label()), bytes)));
            }
            lastKill.add(new Point(labels, series.lastKillSeconds()));
        }
        List<FamilyReading> families = new ArrayList<>();
        if (!kills.isEmpty()) {
            families.add(new FamilyReading(MetricFamily.OOM_KILLS, kills));
            families.add(new FamilyReading(MetricFamily.OOM_LAST_TIMESTAMP, lastKill));
        }
        if (!memory.isEmpty()) {
            families.add(new FamilyReading(MetricFamily.OOM_MEMORY_USAGE, memory));
        }
        families.add(new FamilyReading(MetricFamily.OOM_KILLS_PER_NODE, List.of(point(reading.kills(), node))));
        families.add(new FamilyReading(MetricFamily.OOM_LOST_EVENTS, List.of(point(reading.lostEvents(), node))));
        if (!reading.degraded().isEmpty()) {
            families.add(new FamilyReading(MetricFamily.OOM_DEGRADED, reading.degraded().stream().distinct()
                    .map(reason -> new Point(List.of(node, reason), 1)).toList()));
        }
        return List.copyOf(families);
    }

    /** A family of one series without labels. */
    private static FamilyReading single(MetricFamily family, double value) {
        return new FamilyReading(family, List.of(new Point(List.of(), value)));
    }

    /** A series with one label value. */
    private static Point point(double value, String labelValue) {
        return new Point(List.of(labelValue), value);
    }

    /**
     * Makes a reading's families when the source returns a reading not seen last time. Two threads that
     * find the same new reading may both make its families; either list is right.
     */
    private static final class PerReading<R> implements Supplier<List<FamilyReading>> {

        private final Supplier<R> readings;
        private final Function<R, List<FamilyReading>> families;
        private volatile Made<R> last;

        PerReading(Supplier<R> readings, Function<R, List<FamilyReading>> families) {
            this.readings = readings;
            this.families = families;
        }

        @Override
        public List<FamilyReading> get() {
            R reading = Objects.requireNonNull(readings.get(), "reading");
            Made<R> made = last;
            if (made == null || made.reading() != reading) {
                made = new Made<>(reading, families.apply(reading));
                last = made;
            }
            return made.families();
        }
    }

    /** A reading and its families, published together. */
    private record Made<R>(R reading, List<FamilyReading> families) {
    }
}
