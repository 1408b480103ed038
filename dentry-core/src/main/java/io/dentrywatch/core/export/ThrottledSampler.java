package io.dentrywatch.core.export;

import io.dentrywatch.core.DentrySampler;

import io.dentrywatch.core.DentrySample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The heart of every metric adapter: reads the sample source at scrape time, at most once per
 * {@link AdapterBuilder#minReadInterval minimum read interval}, and keeps the per-container series (cap and
 * {@code _other}, grace, monotonic counts) that the adapter then maps to its ecosystem's types.
 *
 * <p>Scrapes that arrive within the interval, or while a read is under way, share that read: they
 * get the same {@link Reading}. The interval counts from the end of a read, so a read slower than the
 * interval is still shared. A failed read is counted and logged, and the last good values stay
 * exported: a scrape never fails because the kernel could not be read once, and series do not
 * expire while reads fail.
 *
 * <p>Thread-safe.
 */
public final class ThrottledSampler {

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
    private final MonotonicCount mapFullDrops = new MonotonicCount();
    private final MonotonicCount ownerUnknown = new MonotonicCount();
    private final MonotonicCount freed = new MonotonicCount();
    private final MonotonicReclaim reclaim = new MonotonicReclaim();
    private long reads;
    private long readErrors;
    private boolean failing;

    /**
     * Creates a sampler that reads nothing until {@link #read()} is first called; adapters get theirs
     * from {@link AdapterBuilder#build()}.
     *
     * @param source   the samples, typically {@code DentrySampler::sample}; called under a lock, at most
     *                 once per minimum read interval
     * @param settings the resolver, clock, read interval, series cap and grace period
     */
    ThrottledSampler(Supplier<DentrySample> source, ExportSettings settings) {
        this.source = Objects.requireNonNull(source, "source");
        this.clock = settings.clock();
        this.minReadInterval = settings.minReadInterval();
        this.book = new ContainerSeriesBook(settings.containerResolver(), settings.maxContainerSeries(),
                settings.deletedSeriesGrace());
    }

    /**
     * The current reading: the shared one if its read ended less than the minimum interval ago, else
     * the result of a new read (waiting for one under way, if any, and sharing it).
     *
     * @return what to export now; never {@code null}, also when the source throws
     */
    public Reading read() {
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
            mapFullDrops.observe(sample.mapFullDrops());
            ownerUnknown.observe(sample.ownerUnknown());
            freed.observe(sample.freed());
            reclaim.observe(sample.reclaim());
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
                book.containersInOther(), mapFullDrops.total(), ownerUnknown.total(), freed.total(), reclaim.total(), reads,
                readErrors, lastSample == null ? List.of() : SourceSeries.of(lastSample.negativeSources(), book::exportedAs));
    }

    private record Latest(Reading reading, Instant nextReadAt) {
    }
}
