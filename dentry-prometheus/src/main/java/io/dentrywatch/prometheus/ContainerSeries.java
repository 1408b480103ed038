package io.dentrywatch.prometheus;

import io.dentrywatch.core.DentryCounter;

import java.util.Map;

/**
 * One exported container series: its labels and, per counter, the value it exports.
 *
 * @param labels the series' label values
 * @param counts per counter, a value that never decreases while the series lives
 */
record ContainerSeries(SeriesLabels labels, Map<DentryCounter, Long> counts) {

    ContainerSeries {
        counts = Map.copyOf(counts);
    }

    long count(DentryCounter counter) {
        return counts.getOrDefault(counter, 0L);
    }
}
