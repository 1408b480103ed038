package io.dentrywatch.core.export;

import io.dentrywatch.core.DentrySample;

import java.util.List;
import java.util.Optional;

/**
 * What one scrape exports, as {@link ThrottledSampler#read()} returns it: the last good sample and the
 * state built from all samples so far. Scrapes that share a kernel read get the same instance.
 *
 * @param sample            the last sample read without error; empty until one was
 * @param series            the container series sorted by labels, {@code _other} last once it has members
 * @param ownSeries         containers (live or within grace) with their own series
 * @param containersInOther containers (live or within grace) summed into {@code _other}
 * @param mapFullDrops      the sampler's map-full drops, never decreasing
 * @param freed             dentries freed on the node ({@link DentrySample#freed()}), never decreasing;
 *                          meaningful only when the sample measures {@link io.dentrywatch.core.DentryCounter#FREED}
 * @param reads             kernel reads made so far
 * @param readErrors        kernel reads that failed so far
 */
public record Reading(
        Optional<DentrySample> sample,
        List<ContainerSeries> series,
        int ownSeries,
        int containersInOther,
        long mapFullDrops,
        long freed,
        long reads,
        long readErrors) {

    /** Copies {@code series}. */
    public Reading {
        series = List.copyOf(series);
    }
}
