package io.dentrywatch.core;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A counter the sampler can feed. Which ones a sampler feeds depends on its {@link AttachMode}, on
 * the kernel and on which hooks attached; {@link DentrySample#counters()} says, so a counter that
 * cannot be measured is reported as unavailable rather than as zero.
 *
 * <p>A counter is either per cgroup ({@link #perCgroup()}: {@link CgroupDentryCounts#count} carries it)
 * or node-wide. A per-cgroup counter is declared with its slot: its index in the value of the kernel's
 * per-cgroup map, the value of its name in {@code dentry.bpf.c}'s {@code enum counter}. That is the one
 * place the Java side says the layout; a test checks it against the compiled object. A new per-cgroup
 * counter takes the next slot here and in {@code enum counter}.
 */
public enum DentryCounter {
    /** Dentries allocated by tasks of the cgroup ({@link CgroupDentryCounts#allocations()}). */
    ALLOC(0),
    /** Dentries given an inode by tasks of the cgroup: files created or found ({@link CgroupDentryCounts#positive()}). */
    POSITIVE(1),
    /** Lookup misses cached as negative dentries ({@link CgroupDentryCounts#negativeLookup()}). */
    NEGATIVE_LOOKUP(2),
    /** Positive dentries turned negative by unlink ({@link CgroupDentryCounts#negativeUnlink()}). */
    NEGATIVE_UNLINK(3),
    /** Dentries freed, node-wide ({@link DentrySample#freed()}): the freeing task is not the owner. */
    FREED,
    /** Superblock-shrinker reclaim runs, objects scanned and freed, durations, node-wide ({@link DentrySample#reclaim()}). */
    RECLAIM,
    /** Objects reclaimed from a memory cgroup's dentry and inode LRUs ({@link CgroupDentryCounts#reclaimed()}). */
    RECLAIMED(4),
    /** {@code prune_dcache_sb} calls ({@link DentryReclaim#pruneDcacheSb()}); fentry and kprobe modes. */
    PRUNE_DCACHE_SB,
    /** {@code shrink_dcache_sb} calls ({@link DentryReclaim#shrinkDcacheSb()}); fentry and kprobe modes. */
    SHRINK_DCACHE_SB,
    /**
     * Dentries allocated and charged to this memory cgroup, their owner: the cgroup the kernel charged the
     * dentry's slab object to, not the allocating task's. With {@link #UNCHARGED} it makes
     * {@link CgroupDentryCounts#resident()}. Counted by owner ({@link #byOwner()}).
     */
    CHARGED(5, true),
    /** Dentries freed that were charged to this memory cgroup, whichever task freed them (kswapd, RCU). By owner. */
    UNCHARGED(6, true),
    /** This memory cgroup's dentries given an inode (made positive). By owner; fentry and kprobe modes. */
    BOUND(7, true),
    /**
     * This memory cgroup's dentries that let their inode go: unlinked, or killed while positive. With
     * {@link #BOUND} it says how many of {@link CgroupDentryCounts#resident()} are positive, the rest
     * being {@link CgroupDentryCounts#negativeResident()}. By owner; fentry and kprobe modes.
     */
    UNBOUND(8, true);

    private static final int NODE_WIDE = -1;
    private static final List<DentryCounter> PER_CGROUP = Arrays.stream(values()).filter(DentryCounter::perCgroup)
            .sorted(Comparator.comparingInt(DentryCounter::slot)).toList();

    private final int slot;
    private final boolean byOwner;

    /** A node-wide counter. */
    DentryCounter() {
        this(NODE_WIDE);
    }

    /** A per-cgroup counter at {@code slot} of the kernel map's value. */
    DentryCounter(int slot) {
        this(slot, false);
    }

    /** A per-cgroup counter at {@code slot}, counted by the dentry's owner if {@code byOwner}. */
    DentryCounter(int slot, boolean byOwner) {
        this.slot = slot;
        this.byOwner = byOwner;
    }

    /**
     * Whether the counter is kept under the dentry's owner, the memory cgroup its slab object is charged
     * to, rather than under the task that acted. Like the kernel's charge, an owner's counts move to its
     * parent when the cgroup is removed.
     */
    public boolean byOwner() {
        return byOwner;
    }

    /**
     * Whether the counter is counted per cgroup, in {@link CgroupDentryCounts}; the others are node-wide,
     * in {@link DentrySample#freed()} and {@link DentrySample#reclaim()}.
     */
    public boolean perCgroup() {
        return slot != NODE_WIDE;
    }

    /**
     * The per-cgroup counters in slot order: the order of {@link CgroupDentryCounts}' constructor
     * arguments, and of the kernel map's value.
     */
    public static List<DentryCounter> perCgroupCounters() {
        return PER_CGROUP;
    }

    /**
     * The counter's index in the kernel map's per-cgroup value and in {@link CgroupDentryCounts}.
     *
     * @throws IllegalArgumentException for a node-wide counter
     */
    int slot() {
        if (slot == NODE_WIDE) {
            throw new IllegalArgumentException(this + " is node-wide: DentrySample.freed() / reclaim()");
        }
        return slot;
    }

    /** The number of per-cgroup slots: the {@code u64}s of the kernel map's value. */
    static int cgroupSlots() {
        return PER_CGROUP.size();
    }
}
