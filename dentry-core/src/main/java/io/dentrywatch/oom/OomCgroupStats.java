package io.dentrywatch.oom;

import java.util.Objects;

/**
 * The OOM kills of one cgroup since the watcher started.
 *
 * @param cgroupId   the cgroup id (its directory's inode number)
 * @param cgroupPath its path relative to its hierarchy root, as of the last kill
 * @param kills      how many of its processes were killed
 * @param lastKill   the most recent kill: its time and the memory the victim held
 */
public record OomCgroupStats(long cgroupId, String cgroupPath, long kills, OomKill lastKill) {

    public OomCgroupStats {
        Objects.requireNonNull(cgroupPath, "cgroupPath");
        Objects.requireNonNull(lastKill, "lastKill");
    }
}
