package io.dentrywatch.prometheus;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock tests move by hand, so that nothing sleeps; dentry-micrometer's tests use it too. */
public final class MutableClock implements InstantSource {

    private volatile Instant now;

    /**
     * @param start the time it shows until moved
     */
    public MutableClock(Instant start) {
        this.now = start;
    }

    /** The time it shows. */
    @Override
    public Instant instant() {
        return now;
    }

    /**
     * Moves the clock on.
     *
     * @param by how far
     */
    public void advance(Duration by) {
        now = now.plus(by);
    }
}
