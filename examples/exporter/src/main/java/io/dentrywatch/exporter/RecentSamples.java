package io.dentrywatch.exporter;

import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NegativeSources;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The sampler's readings, shared by {@code /metrics} (the collector reads through it) and {@code /sources}: the
 * latest reading, and the negative sources of the last minute of them, so {@code /sources} can say how fast each
 * source grows now. Only the sources are kept, not whole readings: a reading of 1,000 cgroups is about 250 KB,
 * and a minute of readings at one a second would fill the heap. Thread-safe.
 */
final class RecentSamples implements Supplier<DentrySample> {

    private static final Duration KEPT = Duration.ofMinutes(1);
    private static final int MAX_KEPT = 120;

    /**
     * The negative sources of one reading.
     *
     * @param time    when the reading was taken
     * @param sources its negative sources
     */
    record SourcesReading(Instant time, NegativeSources sources) {
    }

    private final Supplier<DentrySample> sampler;
    private final Deque<SourcesReading> recent = new ArrayDeque<>();
    private DentrySample last;

    RecentSamples(Supplier<DentrySample> sampler) {
        this.sampler = Objects.requireNonNull(sampler, "sampler");
    }

    /** Reads the kernel now (the collector calls it at most once per sample interval). */
    @Override
    public synchronized DentrySample get() {
        DentrySample sample = sampler.get();
        last = sample;
        recent.addLast(new SourcesReading(sample.time(), sample.negativeSources()));
        while (recent.size() > MAX_KEPT || recent.size() > 1
                && recent.peekFirst().time().isBefore(sample.time().minus(KEPT))) {
            recent.removeFirst();
        }
        return sample;
    }

    /** The latest reading if it is younger than {@code maxAge}, else a new one. */
    synchronized DentrySample fresh(Duration maxAge, Instant now) {
        if (last == null || last.time().isBefore(now.minus(maxAge))) {
            return get();
        }
        return last;
    }

    /**
     * The sources to measure rates against: those of the oldest reading at most {@code window} before
     * {@code latest} and at least a second before it.
     */
    synchronized Optional<SourcesReading> before(DentrySample latest, Duration window) {
        Instant earliest = latest.time().minus(window);
        Instant latestStart = latest.time().minusSeconds(1);
        for (SourcesReading s : recent) {
            if (!s.time().isBefore(earliest) && !s.time().isAfter(latestStart)) {
                return Optional.of(s);
            }
        }
        // none in the window: the newest older than a second
        SourcesReading best = null;
        for (SourcesReading s : recent) {
            if (!s.time().isAfter(latestStart)) {
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }
}
