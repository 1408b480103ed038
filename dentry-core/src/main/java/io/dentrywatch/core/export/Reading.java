package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryReclaim;
import io.dentrywatch.core.DentrySample;

import java.util.List;
import java.util.Optional;

/**
 * What one scrape exports, as {@link ThrottledSampler#read()} returns it: the last good sample and the
 * state built from all samples so far. Scrapes that share a kernel read get the same instance.
 *
 * <p>The node-wide counts never decrease, also when the sampler is reopened and counts from zero
 * again; each is meaningful only when the sample {@linkplain MetricFamily#measuredIn measures} the
 * family it feeds.
 *
 * @param sample            the last sample read without error; empty until one was
 * @param series            the container series sorted by labels, {@code _other} last once it has members
 * @param ownSeries         containers (live or within grace) with their own series
 * @param containersInOther containers (live or within grace) summed into {@code _other}
 * @param mapFullDrops      the sampler's map-full drops
 * @param ownerUnknown      dentry events whose owner the probes could not read ({@link DentrySample#ownerUnknown()})
 * @param freed             dentries freed on the node ({@link DentrySample#freed()})
 * @param reclaim           node-wide reclaim of the dentry cache ({@link DentrySample#reclaim()}), every
 *                          count of it, duration buckets included
 * @param reads             kernel reads made so far
 * @param readErrors        kernel reads that failed so far
 * @param negativeSources   per container and directory, {@link MetricFamily#DENTRY_NEGATIVE_SOURCES}; empty
 *                          when the sample has none
 */
public record Reading(
        Optional<DentrySample> sample,
        List<ContainerSeries> series,
        int ownSeries,
        int containersInOther,
        long mapFullDrops,
        long ownerUnknown,
        long freed,
        DentryReclaim reclaim,
        long reads,
        long readErrors,
        List<SourceSeries> negativeSources) {

    /** Copies {@code series}. */
    public Reading {
        series = List.copyOf(series);
        negativeSources = List.copyOf(negativeSources);
    }

    /** A reading without negative sources. */
    public Reading(Optional<DentrySample> sample, List<ContainerSeries> series, int ownSeries, int containersInOther,
                   long mapFullDrops, long ownerUnknown, long freed, DentryReclaim reclaim, long reads, long readErrors) {
        this(sample, series, ownSeries, containersInOther, mapFullDrops, ownerUnknown, freed, reclaim, reads, readErrors,
                List.of());
    }

    /**
     * The value of a node-wide counter the probes feed.
     *
     * @param family one of {@link MetricFamily#nodeCounters()}
     * @return its value, never decreasing
     * @throws IllegalArgumentException for any other family
     */
    public long nodeCount(MetricFamily family) {
        return switch (family) {
            case NODE_DENTRY_FREED -> freed;
            case NODE_DENTRY_RECLAIM -> reclaim.runs();
            case NODE_DENTRY_RECLAIM_SCANNED -> reclaim.scanned();
            case NODE_DENTRY_RECLAIMED -> reclaim.freed();
            case NODE_DENTRY_PRUNE_DCACHE_SB -> reclaim.pruneDcacheSb();
            case NODE_DENTRY_SHRINK_DCACHE_SB -> reclaim.shrinkDcacheSb();
            default -> throw new IllegalArgumentException(family + " is not a node-wide counter the probes feed");
        };
    }

    /**
     * {@link MetricFamily#NODE_DENTRY_RECLAIM_DURATION}: the durations of {@link #reclaim()} in the
     * exported buckets.
     *
     * @return the histogram to export
     */
    public ReclaimDurationHistogram reclaimDuration() {
        return ReclaimDurationHistogram.of(reclaim);
    }
}
