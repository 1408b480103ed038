package io.dentrywatch.core;

/**
 * A per-cgroup counter the sampler can feed. Which ones a sampler feeds depends on its
 * {@link AttachMode} and on the kernel; {@link DentrySample#counters()} says, so a counter that
 * cannot be measured is reported as unavailable rather than as zero.
 */
public enum DentryCounter {
    /** Dentries allocated by tasks of the cgroup. */
    ALLOC
}
