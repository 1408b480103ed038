package io.dentrywatch.core.export;

import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentrySample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns successive samples into container series that an exporter can show: cgroups summed per
 * identity, a cap with an {@code _other} bucket, a grace period for containers that went away, and
 * counters that never decrease while their series lives.
 *
 * <p>The rules, in the order they apply:
 * <ul>
 *   <li>A series grows by what its cgroups grew since the last sample. A cgroup counted for the
 *       first time (or newly resolved to this series) adds its whole count. A cgroup whose count
 *       fell (the source was reopened) adds its new count, as Prometheus' {@code rate()} would.
 *       A cgroup that leaves keeps what it added.</li>
 *   <li>A container seen for the first time gets its own series if fewer than the cap have one,
 *       the largest by allocations first; otherwise it is summed into {@code _other}. The choice
 *       holds for the container's life: a series never moves in or out of {@code _other}, which is
 *       what keeps every series monotonic and the sum over all series equal to the uncapped sum.</li>
 *   <li>A container no cgroup of a sample resolves to keeps its last values for the grace period,
 *       then goes. What a member of {@code _other} contributed stays in {@code _other}, so
 *       {@code _other} never decreases either. The core sampler keeps a removed cgroup in its samples
 *       for its own grace period first, so this one starts when the sampler drops the cgroup.</li>
 * </ul>
 *
 * <p>Not thread-safe: its owner serialises calls.
 */
final class ContainerSeriesBook {

    /** The counters a cgroup has: the sources of the per-container families (the others are node-wide). */
    static final List<DentryCounter> COUNTERS = MetricFamily.perContainerFamilies().stream()
            .flatMap(family -> family.sources().stream()).filter(counter -> !counter.byOwner()).distinct().sorted()
            .toList();

    private static final int SLOTS = DentryCounter.values().length; // indexed by ordinal
    private static final Comparator<Tracked> LARGEST_FIRST =
            Comparator.comparingLong((Tracked t) -> t.totals[DentryCounter.ALLOC.ordinal()]).reversed()
                    .thenComparing(t -> t.labels);

    private final ContainerResolver resolver;
    private final Duration grace;
    private final Map<Long, CgroupState> cgroups = new HashMap<>();
    private final Map<SeriesLabels, Tracked> containers = new HashMap<>();
    private final long[] otherRetained = new long[SLOTS];
    private final SeriesCap cap;

    ContainerSeriesBook(ContainerResolver resolver, int maxOwnSeries, Duration grace) {
        this.resolver = resolver;
        this.cap = new SeriesCap(maxOwnSeries);
        this.grace = grace;
    }

    /** Adds one sample taken at {@code now}, then drops what has been gone longer than the grace period. */
    void record(DentrySample sample, Instant now) {
        List<CgroupDentryCounts> cgroupCounts = sample.cgroups();
        // resolve everything first: a resolver that throws must leave the book as it was
        List<SeriesLabels> owners = new ArrayList<>(cgroupCounts.size());
        for (CgroupDentryCounts counts : cgroupCounts) {
            owners.add(SeriesLabels.of(resolver.resolve(counts.cgroupId(), counts.path())));
        }
        List<Tracked> firstSeen = new ArrayList<>();
        for (Tracked container : containers.values()) {
            container.resident = 0; // gauges: what the sample's cgroups hold now, a gone container none
            container.negativeResident = 0;
        }
        for (int c = 0; c < cgroupCounts.size(); c++) {
            CgroupDentryCounts counts = cgroupCounts.get(c);
            SeriesLabels labels = owners.get(c);
            Tracked container = containers.get(labels);
            if (container == null) {
                container = new Tracked(labels);
                containers.put(labels, container);
                firstSeen.add(container);
            }
            CgroupState cgroup = cgroups.computeIfAbsent(counts.cgroupId(), id -> new CgroupState());
            boolean newToThisSeries = !labels.equals(cgroup.owner);
            for (DentryCounter counter : COUNTERS) {
                int i = counter.ordinal();
                long current = counts.count(counter);
                container.totals[i] += MonotonicCount.increase(newToThisSeries ? 0 : cgroup.last[i], current);
                cgroup.last[i] = current;
            }
            container.resident += counts.resident();
            container.negativeResident += counts.negativeResident();
            cgroup.owner = labels;
            cgroup.lastSeen = now;
            container.lastSeen = now;
        }
        admit(firstSeen);
        expire(now);
    }

    /** The series to export: every container with its own series, then {@code _other} once it has members. */
    List<ContainerSeries> series() {
        List<ContainerSeries> series = new ArrayList<>();
        long[] other = otherRetained.clone();
        long otherResident = 0;
        long otherNegativeResident = 0;
        for (Tracked container : containers.values()) {
            if (container.own) {
                series.add(new ContainerSeries(container.labels, countsOf(container.totals), container.resident,
                        container.negativeResident));
            } else {
                for (int i = 0; i < other.length; i++) {
                    other[i] += container.totals[i];
                }
                otherResident += container.resident;
                otherNegativeResident += container.negativeResident;
            }
        }
        series.sort(Comparator.comparing(ContainerSeries::labels));
        if (cap.otherShown()) {
            series.add(new ContainerSeries(SeriesLabels.OTHER, countsOf(other), otherResident, otherNegativeResident));
        }
        return List.copyOf(series);
    }

    /**
     * The labels a cgroup of the last sample is exported under: its container's, or {@link SeriesLabels#OTHER}
     * when the container is summed into {@code _other}.
     *
     * @return empty for a cgroup the book has not seen
     */
    java.util.Optional<SeriesLabels> exportedAs(long cgroupId) {
        CgroupState cgroup = cgroups.get(cgroupId);
        if (cgroup == null || cgroup.owner == null) {
            return java.util.Optional.empty();
        }
        Tracked container = containers.get(cgroup.owner);
        return java.util.Optional.of(container != null && container.own ? cgroup.owner : SeriesLabels.OTHER);
    }

    /** Containers (live or within grace) that have their own series. */
    int ownSeries() {
        return cap.ownSeries();
    }

    /** Containers (live or within grace) summed into {@code _other}. */
    int containersInOther() {
        return containers.size() - cap.ownSeries();
    }

    private void admit(List<Tracked> firstSeen) {
        firstSeen.sort(LARGEST_FIRST);
        for (Tracked container : firstSeen) {
            container.own = cap.admit(container.labels);
        }
    }

    private void expire(Instant now) {
        Instant cutoff = now.minus(grace);
        for (Iterator<Tracked> it = containers.values().iterator(); it.hasNext(); ) {
            Tracked container = it.next();
            if (container.lastSeen.isBefore(cutoff)) {
                it.remove();
                if (container.own) {
                    cap.release();
                } else {
                    for (int i = 0; i < otherRetained.length; i++) {
                        otherRetained[i] += container.totals[i];
                    }
                }
            }
        }
        cgroups.values().removeIf(cgroup -> cgroup.lastSeen.isBefore(cutoff));
    }

    private static Map<DentryCounter, Long> countsOf(long[] totals) {
        return new CounterValues(totals);
    }

    /** What the last sample said about one cgroup, to turn its counts into increments. */
    private static final class CgroupState {
        final long[] last = new long[SLOTS];
        SeriesLabels owner;
        Instant lastSeen;
    }

    /** One container: its accumulated counts and where it is exported. */
    private static final class Tracked {
        final SeriesLabels labels;
        final long[] totals = new long[SLOTS];
        long resident;
        long negativeResident;
        Instant lastSeen;
        boolean own;

        Tracked(SeriesLabels labels) {
            this.labels = labels;
        }
    }
}
