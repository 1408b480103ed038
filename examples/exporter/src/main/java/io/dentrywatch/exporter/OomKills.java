package io.dentrywatch.exporter;

import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.oom.OomKill;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * The exporter's log line for one OOM kill, at WARN under the logger {@code OomKills}: who was killed
 * (namespace, pod and container as the container resolver names them), the victim's pid and command,
 * what ran out of memory, and what it held, for example
 * <pre>
 * OOM kill: pod payments/api-0 container api (pid 1234 java, memory cgroup): anon_rss=61.2MiB file_rss=0.3MiB shmem_rss=0.0MiB total_vm=1024.5MiB pgtables=0.2MiB oom_score_adj=984 cgroup=/kubepods/burstable/pod.../cri-containerd-....scope
 * </pre>
 */
final class OomKills {

    private static final Logger LOG = LoggerFactory.getLogger(OomKills.class);

    /** The memory types in the order of the metric contract; a type the kernel did not report is left out. */
    private static final List<MemoryType> ORDER = List.of(MemoryType.ANON_RSS, MemoryType.FILE_RSS, MemoryType.SHMEM_RSS,
            MemoryType.TOTAL_VM, MemoryType.PGTABLES);

    private OomKills() {
    }

    /** Logs the kill's line. */
    static void log(OomKill kill, ContainerIdentity who) {
        LOG.warn("{}", line(kill, who));
    }

    /**
     * The line: {@code pod <namespace>/<pod> container <container>} for a pod's cgroup ({@code pod <pod UID>}
     * while the pod's name is not known), {@code container <unit or path>} for any other.
     */
    static String line(OomKill kill, ContainerIdentity who) {
        StringBuilder s = new StringBuilder("OOM kill: ");
        if (!who.pod().isEmpty()) {
            s.append("pod ").append(who.namespace().isEmpty() ? "" : who.namespace() + "/").append(who.pod());
            if (!who.container().isEmpty()) {
                s.append(' ');
            }
        }
        if (!who.container().isEmpty()) {
            s.append("container ").append(who.container());
        }
        s.append(" (pid ").append(kill.pid()).append(' ').append(kill.comm()).append(", ").append(switch (kill.scope()) {
            case MEMORY_CGROUP -> "memory cgroup";
            case GLOBAL -> "node out of memory";
            case UNKNOWN -> "scope unknown";
        }).append("):");
        for (MemoryType type : ORDER) {
            kill.bytes(type).ifPresent(bytes -> s.append(' ').append(type.label()).append('=')
                    .append(String.format(Locale.ROOT, "%.1fMiB", bytes / (double) (1 << 20))));
        }
        return s.append(" oom_score_adj=").append(kill.oomScoreAdj()).append(" cgroup=").append(kill.cgroupPath()).toString();
    }
}
