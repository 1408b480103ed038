package io.dentrywatch.exporter;

import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.cgroup.ContainerIdentity.QosClass;
import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.oom.OomKill;
import io.dentrywatch.oom.OomScope;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The log line of one OOM kill. */
class OomKillsTest {

    private static final String CGROUP = "/kubepods/burstable/pod6f1c2d3e-0000-4000-8000-000000000001/cri-containerd-aaa.scope";

    private static OomKill kill(OomScope scope, Map<MemoryType, Long> memory) {
        return new OomKill(Instant.parse("2026-01-02T03:04:05Z"), 1234, 1240, "java", 101, CGROUP, scope, memory, 984);
    }

    private static Map<MemoryType, Long> everyType() {
        Map<MemoryType, Long> memory = new EnumMap<>(MemoryType.class);
        memory.put(MemoryType.TOTAL_VM, 1_074_266_112L);  // 1024.5 MiB
        memory.put(MemoryType.ANON_RSS, 64_172_851L);     // 61.2 MiB
        memory.put(MemoryType.FILE_RSS, 314_573L);        // 0.3 MiB
        memory.put(MemoryType.SHMEM_RSS, 0L);
        memory.put(MemoryType.PGTABLES, 212_992L);        // 0.2 MiB
        return memory;
    }

    @Test
    void aPodsContainerIsNamedWithItsNamespacePodAndContainer() {
        ContainerIdentity api = new ContainerIdentity("payments", "api-0", "api", "6f1c2d3e-0000-4000-8000-000000000001",
                "aaa", "containerd", QosClass.BURSTABLE);

        assertEquals("OOM kill: pod payments/api-0 container api (pid 1234 java, memory cgroup): anon_rss=61.2MiB"
                + " file_rss=0.3MiB shmem_rss=0.0MiB total_vm=1024.5MiB pgtables=0.2MiB oom_score_adj=984 cgroup=" + CGROUP,
                OomKills.line(kill(OomScope.MEMORY_CGROUP, everyType()), api));
    }

    @Test
    void withoutTheKubernetesApiThePodIsItsUidAndACgroupOutsidePodsItsUnit() {
        ContainerIdentity byPath = new ContainerIdentity("", "6f1c2d3e-0000-4000-8000-000000000001", "aaa",
                "6f1c2d3e-0000-4000-8000-000000000001", "aaa", "containerd", QosClass.BURSTABLE);
        Map<MemoryType, Long> anonOnly = Map.of(MemoryType.ANON_RSS, 2L << 20);

        assertEquals("OOM kill: pod 6f1c2d3e-0000-4000-8000-000000000001 container aaa (pid 1234 java, node out of memory):"
                        + " anon_rss=2.0MiB oom_score_adj=984 cgroup=" + CGROUP,
                OomKills.line(kill(OomScope.GLOBAL, anonOnly), byPath));
        assertEquals("OOM kill: container mariadb.service (pid 1234 java, scope unknown): anon_rss=2.0MiB"
                        + " oom_score_adj=984 cgroup=" + CGROUP,
                OomKills.line(kill(OomScope.UNKNOWN, anonOnly), ContainerIdentity.nonPod("mariadb.service")));
    }
}
