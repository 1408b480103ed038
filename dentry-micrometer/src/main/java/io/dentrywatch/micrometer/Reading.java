package io.dentrywatch.micrometer;

import io.dentrywatch.core.DentrySample;

import java.util.List;
import java.util.Optional;

/**
 * What one scrape exports: the last good sample and the container series built from all samples so far.
 *
 * @param sample            the last sample read without error; empty until one was
 * @param series            the container series, {@code _other} included once it has members
 * @param ownSeries         containers (live or within grace) with their own series
 * @param containersInOther containers (live or within grace) summed into {@code _other}
 * @param mapFullDrops      the sampler's map-full drops, never decreasing
 * @param reads             kernel reads made so far
 * @param readErrors        kernel reads that failed so far
 */
record Reading(
        Optional<DentrySample> sample,
        List<ContainerSeries> series,
        int ownSeries,
        int containersInOther,
        long mapFullDrops,
        long reads,
        long readErrors) {

    Reading {
        series = List.copyOf(series);
    }
}
