package io.dentrywatch.exporter;

import io.dentrywatch.core.DentrySample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The sampler's readings, shared by {@code /metrics} (the collector reads through it) and {@code /sources},
 * with the last minute of them kept so {@code /sources} can say how fast each source grows now. Thread-safe.
 */
final class RecentSamples implements Supplier<DentrySample> {

    private static final Duration KEPT = Duration.ofMinutes(1);
    private static final int MAX_KEPT = 120;

    private final Supplier<DentrySample> sampler;
    private final Deque<DentrySample> recent = new ArrayDeque<>();

    RecentSamples(Supplier<DentrySample> sampler) {
        this.sampler = Objects.requireNonNull(sampler, "sampler");
    }

    /** Reads the kernel now (the collector calls it at most once per sample interval). */
    @Override
    public synchronized DentrySample get() {
        DentrySample sample = sampler.get();
        recent.addLast(sample);
        while (recent.size() > MAX_KEPT || recent.size() > 1
                && recent.peekFirst().time().isBefore(sample.time().minus(KEPT))) {
            recent.removeFirst();
        }
        return sample;
    }

    /** The latest reading if it is younger than {@code maxAge}, else a new one. */
    synchronized DentrySample fresh(Duration maxAge, Instant now) {
        DentrySample last = recent.peekLast();
        if (last == null || last.time().isBefore(now.minus(maxAge))) {
            return get();
        }
        return last;
    }

    /**
     * The reading to measure rates against: the oldest one at most {@code window} before {@code latest} and at
     * least a second before it.
     */
    synchronized Optional<DentrySample> before(DentrySample latest, Duration window) {
        Instant earliest = latest.time().minus(window);
        Instant latestStart = latest.time().minusSeconds(1);
        for (DentrySample s : recent) {
            if (!s.time().isBefore(earliest) && !s.time().isAfter(latestStart)) {
                return Optional.of(s);
            }
        }
        // none in the window: the newest older than a second
        DentrySample best = null;
        for (DentrySample s : recent) {
            if (!s.time().isAfter(latestStart)) {
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }
}
