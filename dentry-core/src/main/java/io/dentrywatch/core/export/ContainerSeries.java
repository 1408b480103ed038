package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryCounter;

import java.util.Map;

/**
 * One exported container series, as a metric adapter shows it: its labels and, per per-cgroup
 * counter, a value that never decreases while the series lives.
 *
 * @param labels the series' label values; {@link SeriesLabels#OTHER} for the bucket past the cap
 * @param counts           per per-cgroup counter; node-wide ones ({@link DentryCounter#FREED}, {@link DentryCounter#RECLAIM}
 *                         and the dcache calls) and those kept by owner ({@link DentryCounter#byOwner()}) are not here
 * @param resident         dentries the container's cgroups hold now, summed
 *                         ({@link io.dentrywatch.core.CgroupDentryCounts#resident()}): a gauge, not a counter
 * @param negativeResident the negative ones among them
 *                         ({@link io.dentrywatch.core.CgroupDentryCounts#negativeResident()})
 */
public record ContainerSeries(SeriesLabels labels, Map<DentryCounter, Long> counts, long resident,
                              long negativeResident) {

    /** Copies {@code counts} (not the book's own, which are immutable already). */
    public ContainerSeries {
        counts = counts instanceof CounterValues ? counts : Map.copyOf(counts);
    }

    /**
     * One counter's value.
     *
     * @param counter a per-cgroup counter
     * @return its value, 0 for a counter this series has none of
     */
    public long count(DentryCounter counter) {
        return counts instanceof CounterValues values ? values.count(counter) : counts.getOrDefault(counter, 0L);
    }

    /**
     * A per-container family's value: the sum of its sources for a counter; for {@link MetricFamily#DENTRY_RESIDENT}
     * and {@link MetricFamily#DENTRY_NEGATIVE_RESIDENT}, what the container holds now, never below 0 (a
     * container that frees more dentries cached before the monitor started than it has made since holds none
     * that the monitor can tell).
     *
     * @param family a family whose {@link MetricFamily#perContainer()} holds; whether it is exported at all
     *               is {@link MetricFamily#measuredIn}'s call
     * @return the value to export for this series
     */
    public long value(MetricFamily family) {
        if (family == MetricFamily.DENTRY_RESIDENT) {
            return Math.max(0, resident);
        }
        if (family == MetricFamily.DENTRY_NEGATIVE_RESIDENT) {
            return Math.max(0, negativeResident);
        }
        long value = 0;
        for (DentryCounter source : family.sources()) {
            value += count(source);
        }
        return value;
    }
}
