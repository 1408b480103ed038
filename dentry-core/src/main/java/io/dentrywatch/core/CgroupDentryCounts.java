package io.dentrywatch.core;

import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Cumulative dentry counts of one cgroup since the sampler opened. Counts only grow while the
 * sampler lives, also after the cgroup is removed (its last counts are kept for a grace period).
 * {@link #count(DentryCounter)} reads any per-cgroup counter; {@link #allocations()} and the other
 * named accessors are shorthands for it. A counter not in {@link DentrySample#counters()} is
 * unavailable in this mode and reads 0 here. Immutable; equal when id, path and every count are.
 */
public final class CgroupDentryCounts {

    private final long cgroupId;
    private final String path;
    private final long[] counts;

    /**
     * @param cgroupId the kernel's cgroup id (the cgroup directory's inode number)
     * @param path     the cgroup path relative to its hierarchy root, starting with {@code /};
     *                 {@code /<unknown id N>} when the cgroup was gone before it could be resolved
     * @param counts   the per-cgroup counters in the order of {@link DentryCounter#perCgroupCounters()}
     *                 ({@link DentryCounter#ALLOC} first); counters left out at the end are 0
     * @throws IllegalArgumentException if there are more counts than per-cgroup counters
     */
    public CgroupDentryCounts(long cgroupId, String path, long... counts) {
        if (counts.length > DentryCounter.cgroupSlots()) {
            throw new IllegalArgumentException(counts.length + " counts, but there are " + DentryCounter.cgroupSlots()
                    + " per-cgroup counters: " + DentryCounter.perCgroupCounters());
        }
        this.cgroupId = cgroupId;
        this.path = Objects.requireNonNull(path, "path");
        this.counts = Arrays.copyOf(counts, DentryCounter.cgroupSlots());
    }

    /** The kernel's cgroup id (the cgroup directory's inode number). */
    public long cgroupId() {
        return cgroupId;
    }

    /**
     * The cgroup path relative to its hierarchy root, starting with {@code /}; {@code /<unknown id N>}
     * when the cgroup was gone before it could be resolved.
     */
    public String path() {
        return path;
    }

    /**
     * The cgroup's count of {@code counter}.
     *
     * @throws IllegalArgumentException for a node-wide counter (not {@link DentryCounter#perCgroup()})
     */
    public long count(DentryCounter counter) {
        return counts[counter.slot()];
    }

    /** Dentries allocated by tasks of this cgroup: {@link #count count}({@link DentryCounter#ALLOC}). */
    public long allocations() {
        return count(DentryCounter.ALLOC);
    }

    /** Dentries made positive: {@link #count count}({@link DentryCounter#POSITIVE}). */
    public long positive() {
        return count(DentryCounter.POSITIVE);
    }

    /** Lookup misses cached as negative dentries: {@link #count count}({@link DentryCounter#NEGATIVE_LOOKUP}). */
    public long negativeLookup() {
        return count(DentryCounter.NEGATIVE_LOOKUP);
    }

    /** Positive dentries made negative by unlink: {@link #count count}({@link DentryCounter#NEGATIVE_UNLINK}). */
    public long negativeUnlink() {
        return count(DentryCounter.NEGATIVE_UNLINK);
    }

    /**
     * Objects the superblock shrinker freed while reclaiming this memory cgroup:
     * {@link #count count}({@link DentryCounter#RECLAIMED}); the reclaiming task (kswapd, an allocator)
     * is not the owner.
     */
    public long reclaimed() {
        return count(DentryCounter.RECLAIMED);
    }

    /**
     * Dentries this cgroup holds in the cache now, as their owner: allocated and charged to its memory
     * cgroup and not yet freed, {@link DentryCounter#CHARGED} minus {@link DentryCounter#UNCHARGED}, with
     * what removed child cgroups held (the kernel charges it to the parent then). It counts from when the
     * sampler started: it goes below zero when the cgroup frees more dentries it had cached before then
     * than it has allocated since. 0 where the mode cannot tell owners ({@link DentrySample#counters()}).
     */
    public long resident() {
        return count(DentryCounter.CHARGED) - count(DentryCounter.UNCHARGED);
    }

    /**
     * The negative ones among {@link #resident()}: resident dentries minus those bound to an inode now
     * ({@link DentryCounter#BOUND} minus {@link DentryCounter#UNBOUND}). Like the kernel's
     * {@code nr_negative} it counts cached lookup misses and unlinked names, but also the few negative
     * dentries in use at this moment, which the kernel's count leaves out. fentry and kprobe modes only.
     */
    public long negativeResident() {
        return resident() - (count(DentryCounter.BOUND) - count(DentryCounter.UNBOUND));
    }

    /** Dentries made negative for either cause. */
    public long negative() {
        return negativeLookup() + negativeUnlink();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CgroupDentryCounts other && cgroupId == other.cgroupId && path.equals(other.path)
                && Arrays.equals(counts, other.counts);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(cgroupId) * 31 + path.hashCode()) * 31 + Arrays.hashCode(counts);
    }

    /** {@code CgroupDentryCounts[cgroupId=…, path=…, ALLOC=…, …]}, every per-cgroup counter by name. */
    @Override
    public String toString() {
        StringJoiner s = new StringJoiner(", ", "CgroupDentryCounts[", "]");
        s.add("cgroupId=" + cgroupId).add("path=" + path);
        for (DentryCounter counter : DentryCounter.perCgroupCounters()) {
            s.add(counter + "=" + count(counter));
        }
        return s.toString();
    }
}
