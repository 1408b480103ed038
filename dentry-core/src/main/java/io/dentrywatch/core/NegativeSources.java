package io.dentrywatch.core;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the node's negative dentries come from: per cgroup, the top directories its tasks made negative
 * dentries in (lookup misses and unlinks), counted by {@code sources.bpf.o} in fentry and kprobe modes.
 * Opt-in: {@link DentrySampler.Builder#negativeSources(int)}.
 *
 * <p>Every count is cumulative since the sampler opened and never decreases while a directory keeps its
 * place. A cgroup has at most K directories of its own (the builder's {@code topK}), the node at most the
 * node cap; a directory that has not grown for a minute gives its place to a growing one (its count moves to
 * the cgroup's {@link CgroupNegativeSources#other()}), and what a directory without a place makes is summed
 * into {@code other} too: a cgroup's directories and its {@code other} add up to all it made.
 *
 * @param unavailable      why there are none: not requested, or the mode has no dentry hooks; empty when
 *                         they are counted
 * @param cgroups          per cgroup with negatives counted, the most negatives first
 * @param kernelEntries    (cgroup, directory) entries in the kernel's LRU map at the read
 * @param kernelInserts    entries the kernel has created since the sampler opened: above the map's capacity,
 *                         the LRU evicted the least recently used (their counts were read before, or are lost)
 * @param trackedDirectories directories the sampler keeps in Java (own places and contenders), bounded
 */
public record NegativeSources(Optional<String> unavailable, List<CgroupNegativeSources> cgroups, long kernelEntries,
                              long kernelInserts, int trackedDirectories) {

    public NegativeSources {
        Objects.requireNonNull(unavailable, "unavailable");
        cgroups = List.copyOf(cgroups);
    }

    /** Not counted, and why. */
    public static NegativeSources unavailable(String reason) {
        return new NegativeSources(Optional.of(reason), List.of(), 0, 0, 0);
    }

    /** What a sampler built without {@link DentrySampler.Builder#negativeSources(int)} reports. */
    public static final NegativeSources NOT_REQUESTED = unavailable(
            "not requested: DentrySampler.Builder.negativeSources(topK) turns them on");

    /** Whether they are counted. */
    public boolean available() {
        return unavailable.isEmpty();
    }

    /** Every cgroup's directories, the most negatives first, at most {@code limit}. */
    public List<Ranked> top(int limit) {
        return cgroups.stream()
                .flatMap(c -> c.directories().stream().map(d -> new Ranked(c, d)))
                .sorted(Comparator.comparingLong((Ranked r) -> r.directory().total()).reversed())
                .limit(limit).toList();
    }

    /** A directory with the cgroup it belongs to. */
    public record Ranked(CgroupNegativeSources cgroup, DirectorySource directory) {
    }
}
