package io.dentrywatch.micrometer;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.core.ContainerIdentity;
import io.dentrywatch.core.ContainerIdentity.QosClass;
import io.dentrywatch.core.ContainerResolver;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/** Fixed samples and resolvers for tests. */
final class Samples {

    static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    static final SamplerInfo TRACEPOINT_INFO = new SamplerInfo(AttachMode.TRACEPOINT, "6.18.0-fc", "hybrid", "0.1.0",
            List.of("positive, negative: no tracepoint reports them; \"fentry\" and \"kprobe\" modes do"));

    static final NodeDentryState NODE = new NodeDentryState(1_234_567, 234_567, OptionalLong.of(34_567));

    static final String NGINX_CGROUP = "/kubepods/burstable/pod6f1c2d3e-0000-4000-8000-000000000001/cri-containerd-aaa.scope";
    static final String NGINX_OLD_CGROUP = "/kubepods/burstable/pod6f1c2d3e-0000-4000-8000-000000000001/cri-containerd-bbb.scope";
    static final String SIDECAR_CGROUP = "/kubepods/burstable/pod6f1c2d3e-0000-4000-8000-000000000001/cri-containerd-ccc.scope";
    static final String MARIADB_CGROUP = "/system.slice/mariadb.service";
    static final String SESSION_CGROUP = "/user.slice/user-1000.slice/session-3.scope";

    /** Pods by cgroup id as a Kubernetes-aware resolver would see them; everything else is not a pod. */
    static ContainerResolver resolver() {
        Map<Long, ContainerIdentity> pods = new HashMap<>();
        pods.put(101L, pod("shop", "web-0", "nginx", "aaa"));
        pods.put(102L, pod("shop", "web-0", "nginx", "bbb")); // the same container, restarted
        pods.put(103L, pod("shop", "web-0", "sidecar", "ccc"));
        return (id, path) -> {
            ContainerIdentity pod = pods.get(id);
            if (pod != null) {
                return pod;
            }
            return ContainerIdentity.nonPod(path.equals(MARIADB_CGROUP) ? "mariadb.service" : path);
        };
    }

    /** Each cgroup is its own container, named after its path. */
    static ContainerResolver byPath() {
        return (id, path) -> ContainerIdentity.nonPod(path);
    }

    static ContainerIdentity pod(String namespace, String pod, String container, String containerId) {
        return new ContainerIdentity(namespace, pod, container, "6f1c2d3e-0000-4000-8000-000000000001", containerId,
                "containerd", QosClass.BURSTABLE);
    }

    /** The golden sample: two pods' containers (one with two cgroups), a systemd service and a login session. */
    static DentrySample golden() {
        return sample(T0, List.of(
                cgroup(101, NGINX_CGROUP, 5000),
                cgroup(102, NGINX_OLD_CGROUP, 700),
                cgroup(103, SIDECAR_CGROUP, 42),
                cgroup(104, MARIADB_CGROUP, 9001),
                cgroup(105, SESSION_CGROUP, 12)));
    }

    /** The one place tests build a cgroup's counts: allocations only, every other counter zero. */
    static CgroupDentryCounts cgroup(long cgroupId, String path, long allocations) {
        return new CgroupDentryCounts(cgroupId, path, allocations);
    }

    static DentrySample sample(Instant time, List<CgroupDentryCounts> cgroups) {
        return new DentrySample(time, TRACEPOINT_INFO, Set.of(DentryCounter.ALLOC), NODE, cgroups, 3,
                Duration.ofNanos(1_500_000));
    }

    /** A sample whose cgroups are named {@code /c<i>} with the given allocation counts, in order. */
    static DentrySample counts(long... allocations) {
        List<CgroupDentryCounts> cgroups = new ArrayList<>();
        for (int i = 0; i < allocations.length; i++) {
            if (allocations[i] >= 0) { // a negative count leaves the cgroup out: it is gone
                cgroups.add(cgroup(1000 + i, "/c" + i, allocations[i]));
            }
        }
        return sample(T0, cgroups);
    }

    private Samples() {
    }
}
