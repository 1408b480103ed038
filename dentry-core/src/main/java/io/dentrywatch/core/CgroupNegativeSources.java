package io.dentrywatch.core;

import java.util.List;

/**
 * Where one cgroup's negative dentries come from: its top directories, the rest summed.
 *
 * @param cgroupId    the cgroup id (its directory's inode), as in {@link CgroupDentryCounts#cgroupId()}
 * @param path        its path relative to the hierarchy root; {@code ""} if the sampler has not resolved it
 * @param directories at most the sampler's top K directories, the most negatives first; each counted
 *                    while it holds its place
 * @param other       negatives made in every other directory (the {@code _other} bucket), since the
 *                    sampler opened
 */
public record CgroupNegativeSources(long cgroupId, String path, List<DirectorySource> directories, long other) {

    public CgroupNegativeSources {
        directories = List.copyOf(directories);
    }

    /** Negatives counted for the cgroup: its directories' and {@link #other()}. */
    public long total() {
        return other + directories.stream().mapToLong(DirectorySource::total).sum();
    }
}
