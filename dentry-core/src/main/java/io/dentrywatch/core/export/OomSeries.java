package io.dentrywatch.core.export;

import io.dentrywatch.oom.OomKill;

import java.util.Objects;

/**
 * One exported container's OOM kills, as a metric adapter shows it.
 *
 * @param labels   the container's label values; {@link SeriesLabels#OTHER} for the bucket past the cap
 * @param kills    kills since the series appeared; never decreases while it lives
 * @param lastKill the latest kill of any cgroup counted in the series: its time and the memory the victim held
 */
public record OomSeries(SeriesLabels labels, long kills, OomKill lastKill) {

    /** Checks the references. */
    public OomSeries {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(lastKill, "lastKill");
    }

    /**
     * When the latest kill happened, as {@link MetricFamily#OOM_LAST_TIMESTAMP} exports it.
     *
     * @return Unix time in seconds, with the fraction to the microsecond
     */
    public double lastKillSeconds() {
        return lastKill.time().getEpochSecond() + lastKill.time().getNano() / 1e9;
    }
}
