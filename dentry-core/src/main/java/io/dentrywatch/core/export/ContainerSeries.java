package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryCounter;

import java.util.Map;

/**
 * One exported container series, as a metric adapter shows it: its labels and, per per-cgroup
 * counter, a value that never decreases while the series lives.
 *
 * @param labels the series' label values; {@link SeriesLabels#OTHER} for the bucket past the cap
 * @param counts per per-cgroup counter; node-wide ones ({@link DentryCounter#FREED}, {@link DentryCounter#RECLAIM}
 *               and the dcache calls) are not here
 */
public record ContainerSeries(SeriesLabels labels, Map<DentryCounter, Long> counts) {

    /** Copies {@code counts}. */
    public ContainerSeries {
        counts = Map.copyOf(counts);
    }

    /**
     * One counter's value.
     *
     * @param counter a per-cgroup counter
     * @return its value, 0 for a counter this series has none of
     */
    public long count(DentryCounter counter) {
        return counts.getOrDefault(counter, 0L);
    }

    /**
     * A per-container family's value: the sum of its sources.
     *
     * @param family a family whose {@link MetricFamily#perContainer()} holds; whether it is exported at all
     *               is {@link MetricFamily#measuredIn}'s call
     * @return the value to export for this series
     */
    public long value(MetricFamily family) {
        long value = 0;
        for (DentryCounter source : family.sources()) {
            value += count(source);
        }
        return value;
    }
}
