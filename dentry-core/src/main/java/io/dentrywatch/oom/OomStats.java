package io.dentrywatch.oom;

import java.util.List;

/**
 * Cumulative OOM kill counts since the watcher started.
 *
 * @param kills      every kill on this node
 * @param lostEvents kills the kernel reported but that never reached the watcher (a full event
 *                   buffer); they are in neither count
 * @param cgroups    kills per victim cgroup, the cgroup killed in least recently first
 */
public record OomStats(long kills, long lostEvents, List<OomCgroupStats> cgroups) {

    public OomStats {
        cgroups = List.copyOf(cgroups);
    }
}
