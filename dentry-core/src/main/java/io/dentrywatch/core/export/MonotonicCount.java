package io.dentrywatch.core.export;

/**
 * A counter that follows a source's cumulative value and never decreases: it grows by what the source
 * grew, and when the source falls (it was reopened and counts from zero again) by the source's new
 * value, as Prometheus' {@code rate()} reads a reset. Not thread-safe.
 */
final class MonotonicCount {

    private long total;
    private long last;

    /** Folds in the source's current cumulative value. */
    void observe(long current) {
        total += increase(last, current);
        last = current;
    }

    long total() {
        return total;
    }

    /** What a cumulative source that read {@code before} and now reads {@code current} has counted in between. */
    static long increase(long before, long current) {
        return current >= before ? current - before : current;
    }
}
