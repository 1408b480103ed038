package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentrySample;

import java.util.Set;

/**
 * A per-container counter family the metric adapters export, and the core counters whose sum feeds
 * it. Adapters give each its ecosystem's name and help text; this enum says what it counts and when
 * it can be shown: a family is exported only for a sample that measures every one of its sources,
 * so a family the mode cannot measure is absent rather than zero.
 */
public enum ContainerFamily {
    /** Dentries allocated ({@link DentryCounter#ALLOC}); exported as {@code dentry_alloc_total}. */
    ALLOC(DentryCounter.ALLOC),
    /** Dentries made positive ({@link DentryCounter#POSITIVE}); exported as {@code dentry_positive_total}. */
    POSITIVE(DentryCounter.POSITIVE),
    /**
     * Dentries made negative for either cause: {@link DentryCounter#NEGATIVE_LOOKUP} plus
     * {@link DentryCounter#NEGATIVE_UNLINK}, only when both are measured; exported as
     * {@code dentry_negative_total}.
     */
    NEGATIVE(DentryCounter.NEGATIVE_LOOKUP, DentryCounter.NEGATIVE_UNLINK),
    /** Lookup misses cached as negative dentries ({@link DentryCounter#NEGATIVE_LOOKUP}); {@code dentry_negative_lookup_total}. */
    NEGATIVE_LOOKUP(DentryCounter.NEGATIVE_LOOKUP),
    /** Positive dentries made negative by unlink ({@link DentryCounter#NEGATIVE_UNLINK}); {@code dentry_negative_unlink_total}. */
    NEGATIVE_UNLINK(DentryCounter.NEGATIVE_UNLINK);

    private final Set<DentryCounter> sources;

    ContainerFamily(DentryCounter... sources) {
        this.sources = Set.of(sources);
    }

    /**
     * The core counters whose sum is this family's value.
     *
     * @return one or more per-cgroup counters
     */
    public Set<DentryCounter> sources() {
        return sources;
    }

    /**
     * Whether a sample measures this family, that is every one of its sources.
     *
     * @param sample a sample from the sampler
     * @return {@code true} if the family is to be exported for this sample
     */
    public boolean measuredIn(DentrySample sample) {
        return sample.counters().containsAll(sources);
    }
}
