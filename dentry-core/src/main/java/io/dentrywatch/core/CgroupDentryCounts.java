package io.dentrywatch.core;

/**
 * Cumulative dentry counts of one cgroup since the sampler opened. Counts only grow while the
 * sampler lives.
 *
 * @param cgroupId    the kernel's cgroup id (the cgroup directory's inode number)
 * @param path        the cgroup path relative to its hierarchy root, starting with {@code /};
 *                    {@code /<unknown id N>} when the cgroup was gone before it could be resolved
 * @param allocations dentries allocated by tasks of this cgroup ({@link DentryCounter#ALLOC})
 */
public record CgroupDentryCounts(long cgroupId, String path, long allocations) {
}
