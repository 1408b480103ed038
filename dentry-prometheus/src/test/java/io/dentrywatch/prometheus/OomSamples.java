package io.dentrywatch.prometheus;

import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.oom.OomCgroupStats;
import io.dentrywatch.oom.OomKill;
import io.dentrywatch.oom.OomScope;
import io.dentrywatch.oom.OomStats;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Fixed OOM watcher counts over the golden samples' cgroups ({@link Samples}), for both adapters' tests:
 * dentry-micrometer's render the same ones through its own binder.
 */
public final class OomSamples {

    /** The node label of the golden exposition. */
    public static final String NODE = "node-a";

    /** A degraded part as the watcher words it where the vmscan tracepoints are missing. */
    public static final String DEGRADED = "OOM scope (memory cgroup or global) is unknown: the vmscan reclaim"
            + " tracepoints could not be attached (no such tracepoint)";

    /** The series cap of the golden exposition: the login session, killed last of the single kills, lands in _other. */
    public static final int CAP = 3;

    private OomSamples() {
    }

    /**
     * Seven kills on the node and one lost: nginx twice in its current cgroup (the latest at T0 - 90 s,
     * every memory type) and once in its restarted container's old cgroup, the sidecar once (without a
     * pgtables figure), mariadb twice, the login session once; in the watcher's order, the cgroup killed
     * in least recently first.
     *
     * @return the same counts at every call
     */
    public static OomStats golden() {
        return new OomStats(7, 1, List.of(
                cgroup(102, Samples.NGINX_OLD_CGROUP, 1, 3600, 4100, "nginx", memory(480, 200, 10, 1, 512)),
                cgroup(104, Samples.MARIADB_CGROUP, 2, 600, 5300, "mariadbd", memory(2048, 1500, 300, 0, 4096)),
                cgroup(101, Samples.NGINX_CGROUP, 2, 90, 4242, "nginx", memory(512, 250, 12, 1, 600)),
                cgroup(103, Samples.SIDECAR_CGROUP, 1, 30, 5120, "envoy", withoutPgtables(memory(128, 60, 8, 2, 0))),
                cgroup(105, Samples.SESSION_CGROUP, 1, 10, 6001, "python3", memory(900, 700, 5, 0, 1800))));
    }

    /**
     * The collector the golden files show: {@link Samples#resolver()}, the node {@link #NODE}, a cap of
     * {@link #CAP} and {@link #DEGRADED}.
     *
     * @return a new collector over {@link #golden()}
     */
    public static OomCollector collector() {
        return OomCollector.builder(OomSamples::golden)
                .node(NODE)
                .containerResolver(Samples.resolver())
                .maxContainerSeries(CAP)
                .degraded(List.of(DEGRADED))
                .clock(new MutableClock(Samples.T0))
                .build();
    }

    /** A cgroup's count and its latest kill, {@code secondsAgo} before T0. */
    private static OomCgroupStats cgroup(long cgroupId, String path, long kills, long secondsAgo, int pid, String comm,
                                         Map<MemoryType, Long> memory) {
        return new OomCgroupStats(cgroupId, path, kills, new OomKill(Samples.T0.minusSeconds(secondsAgo), pid, pid, comm,
                cgroupId, path, OomScope.MEMORY_CGROUP, memory, 0));
    }

    /** MiB of address space, anonymous, file and shared memory, and KiB of page tables. */
    private static Map<MemoryType, Long> memory(long totalVmMib, long anonMib, long fileMib, long shmemMib, long pgtablesKib) {
        Map<MemoryType, Long> memory = new EnumMap<>(MemoryType.class);
        memory.put(MemoryType.TOTAL_VM, totalVmMib << 20);
        memory.put(MemoryType.ANON_RSS, anonMib << 20);
        memory.put(MemoryType.FILE_RSS, fileMib << 20);
        memory.put(MemoryType.SHMEM_RSS, shmemMib << 20);
        memory.put(MemoryType.PGTABLES, pgtablesKib << 10);
        return memory;
    }

    private static Map<MemoryType, Long> withoutPgtables(Map<MemoryType, Long> memory) {
        memory.remove(MemoryType.PGTABLES);
        return memory;
    }
}
