package io.dentrywatch.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One immutable reading of the kernel: the node's dentry cache and the per-cgroup counters.
 *
 * @param time         when the reading was taken
 * @param info         the mode that is live, the kernel, the cgroup mode, and what is degraded
 * @param counters     the counters this sampler feeds; counters not listed are unavailable, not zero
 * @param node         {@code /proc/sys/fs/dentry-state}
 * @param cgroups      per-cgroup counts: every cgroup seen since the sampler opened, removed ones for a
 *                     grace period (empty in node-only mode)
 * @param freed        dentries freed on the node since the sampler opened ({@link DentryCounter#FREED})
 * @param reclaim      node-wide reclaim of the dentry cache since the sampler opened
 * @param mapFullDrops dentry events the kernel could not count because the cgroup map was full
 * @param readTime     how long the reading took
 * @param ownerUnknown dentry events whose owner (memory cgroup) the kernel side could not read, so they
 *                     are missing from {@link CgroupDentryCounts#resident()}: counted, never silent
 * @param negativeSources where negative dentries come from, per cgroup and directory (opt-in:
 *                     {@link DentrySampler.Builder#negativeSources(int)}); unavailable with the reason otherwise
 */
public record DentrySample(
        Instant time,
        SamplerInfo info,
        Set<DentryCounter> counters,
        NodeDentryState node,
        List<CgroupDentryCounts> cgroups,
        long freed,
        DentryReclaim reclaim,
        long mapFullDrops,
        Duration readTime,
        long ownerUnknown,
        NegativeSources negativeSources) {

    public DentrySample {
        counters = Set.copyOf(counters);
        cgroups = List.copyOf(cgroups);
        java.util.Objects.requireNonNull(negativeSources, "negativeSources");
    }

    /** A reading without owner counters ({@code ownerUnknown} 0) or negative sources ({@link NegativeSources#NOT_REQUESTED}). */
    public DentrySample(Instant time, SamplerInfo info, Set<DentryCounter> counters, NodeDentryState node,
                        List<CgroupDentryCounts> cgroups, long freed, DentryReclaim reclaim, long mapFullDrops,
                        Duration readTime) {
        this(time, info, counters, node, cgroups, freed, reclaim, mapFullDrops, readTime, 0, NegativeSources.NOT_REQUESTED);
    }
}
