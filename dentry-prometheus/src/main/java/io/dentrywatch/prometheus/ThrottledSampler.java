package io.dentrywatch.prometheus;

import io.dentrywatch.core.ContainerResolver;
import io.dentrywatch.core.DentrySample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Reads the kernel at scrape time, at most once per minimum interval: scrapes that arrive within it,
 * or while a read is under way, share that read.
 *
 * <p>A failed read is counted and logged, and the last good values stay exported: a scrape never
 * fails because the kernel could not be read once, and series are not expired while reads fail.
 *
 * <p>dentry-prometheus and dentry-micrometer each carry an identical copy of this class (adapters do not
 * depend on each other); it belongs in dentry-core once the core takes it.
 */
final class ThrottledSampler {

    private static final Logger LOG = LoggerFactory.getLogger(ThrottledSampler.class);

    private final Supplier<DentrySample> source;
    private final InstantSource clock;
    private final Duration minReadInterval;
    private final ContainerSeriesBook book;
    private final ReentrantLock readLock = new ReentrantLock();

    /** Published as one object so a reader never pairs a new deadline with an old reading. */
    private volatile Latest latest;

    // guarded by readLock
    private DentrySample lastSample;
    private long lastRawMapFullDrops;
    private long mapFullDrops;
    private long reads;
    private long readErrors;
    private boolean failing;

    ThrottledSampler(Supplier<DentrySample> source, ContainerResolver resolver, InstantSource clock,
                     Duration minReadInterval, int maxContainerSeries, Duration deletedSeriesGrace) {
        this.source = source;
        this.clock = clock;
        this.minReadInterval = minReadInterval;
        this.book = new ContainerSeriesBook(resolver, maxContainerSeries, deletedSeriesGrace);
    }

    /** The current reading: the shared one if it is recent enough, else a new kernel read. */
    Reading read() {
        Latest current = latest;
        if (current != null && clock.instant().isBefore(current.nextReadAt())) {
            return current.reading();
        }
        readLock.lock();
        try {
            Instant now = clock.instant();
            current = latest;
            if (current != null && now.isBefore(current.nextReadAt())) {
                return current.reading(); // another scrape read while this one waited
            }
            Reading reading = readNow(now);
            // counted from the end of the read, so a read slower than the interval is still shared
            latest = new Latest(reading, clock.instant().plus(minReadInterval));
            return reading;
        } finally {
            readLock.unlock();
        }
    }

    private Reading readNow(Instant now) {
        reads++;
        try {
            DentrySample sample = source.get();
            book.record(sample, now);
            long drops = sample.mapFullDrops();
            mapFullDrops += drops >= lastRawMapFullDrops ? drops - lastRawMapFullDrops : drops;
            lastRawMapFullDrops = drops;
            lastSample = sample;
            failing = false;
        } catch (RuntimeException e) {
            readErrors++;
            if (!failing) {
                LOG.warn("Reading the dentry sampler failed; exporting the last good values until it recovers", e);
            } else {
                LOG.debug("Reading the dentry sampler failed again", e);
            }
            failing = true;
        }
        return new Reading(Optional.ofNullable(lastSample), book.series(), book.ownSeries(),
                book.containersInOther(), mapFullDrops, reads, readErrors);
    }

    private record Latest(Reading reading, Instant nextReadAt) {
    }
}
