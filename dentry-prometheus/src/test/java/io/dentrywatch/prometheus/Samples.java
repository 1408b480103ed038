package io.dentrywatch.prometheus;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.core.CgroupKey;
import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.cgroup.ContainerIdentity.QosClass;
import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentryReclaim;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Fixed samples and resolvers for the adapters' tests; dentry-micrometer's tests use them too (through
 * this module's test jar), so that both adapters are checked against the same samples.
 */
public final class Samples {

    /** When every fixed sample was taken. */
    public static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    /** A fentry-mode sampler on a cgroup v2 host: every counter is measured, nothing is degraded. */
    public static final SamplerInfo FENTRY_INFO = new SamplerInfo(AttachMode.FENTRY, "6.18.0-fc", "v2", CgroupKey.V2,
            "0.1.0", List.of());

    /** A tracepoint-mode sampler on a hybrid host: allocations, frees and reclaim (no dcache calls). */
    public static final SamplerInfo TRACEPOINT_INFO = new SamplerInfo(AttachMode.TRACEPOINT, "6.18.0-fc", "hybrid",
            CgroupKey.MEMORY, "0.1.0", List.of("positive, negative, prune_dcache_sb, shrink_dcache_sb: no tracepoint"
                    + " reports them; \"fentry\" and \"kprobe\" modes do"));

    static final NodeDentryState NODE = new NodeDentryState(1_234_567, 234_567, OptionalLong.of(34_567));

    static final String NGINX_CGROUP = "/kubepods/burstable/pod6f1c2d3e-0000-4000-8000-000000000001/cri-containerd-aaa.scope";
    static final String NGINX_OLD_CGROUP = "/kubepods/burstable/pod6f1c2d3e-0000-4000-8000-000000000001/cri-containerd-bbb.scope";
    static final String SIDECAR_CGROUP = "/kubepods/burstable/pod6f1c2d3e-0000-4000-8000-000000000001/cri-containerd-ccc.scope";
    static final String MARIADB_CGROUP = "/system.slice/mariadb.service";
    static final String SESSION_CGROUP = "/user.slice/user-1000.slice/session-3.scope";

    /** The golden sample's node-wide frees. */
    static final long FREED = 14_000;

    /**
     * The golden samples' reclaim: 1234 superblock-shrinker runs spread over the log2 duration buckets from
     * below a microsecond (folded into the first bound) to over 17 seconds (only in +Inf), 7 remounts.
     */
    static final DentryReclaim RECLAIM = reclaim(1234, 7);

    /**
     * Pods by cgroup id as a Kubernetes-aware resolver would see them; everything else is not a pod.
     *
     * @return a resolver for the golden samples' cgroups
     */
    public static ContainerResolver resolver() {
        Map<Long, ContainerIdentity> pods = new HashMap<>();
        pods.put(101L, pod("nginx", "aaa"));
        pods.put(102L, pod("nginx", "bbb")); // the same container, restarted
        pods.put(103L, pod("sidecar", "ccc"));
        return (id, path) -> {
            ContainerIdentity pod = pods.get(id);
            if (pod != null) {
                return pod;
            }
            return ContainerIdentity.nonPod(path.equals(MARIADB_CGROUP) ? "mariadb.service" : path);
        };
    }

    /**
     * Each cgroup is its own container, named after its path.
     *
     * @return a resolver that reads only the path
     */
    public static ContainerResolver byPath() {
        return (id, path) -> ContainerIdentity.nonPod(path);
    }

    /**
     * The golden sample in fentry mode: two containers of pod shop/web-0 (nginx with two cgroups, a
     * sidecar), a systemd service and a login session, with every counter.
     *
     * @return the same sample at every call
     */
    public static DentrySample golden() {
        return new DentrySample(T0, FENTRY_INFO, EnumSet.allOf(DentryCounter.class), NODE, List.of(
                new CgroupDentryCounts(101, NGINX_CGROUP, 5000, 3100, 1500, 250, 52_000, 5000, 1800, 3100, 900),
                new CgroupDentryCounts(102, NGINX_OLD_CGROUP, 700, 400, 200, 60, 8_000, 700, 650, 400, 380),
                new CgroupDentryCounts(103, SIDECAR_CGROUP, 42, 30, 8, 2, 300, 42, 2, 30, 2),
                new CgroupDentryCounts(104, MARIADB_CGROUP, 9001, 6000, 2500, 400, 150_000, 9001, 500, 6000, 1400),
                new CgroupDentryCounts(105, SESSION_CGROUP, 12, 7, 4, 1, 25, 12, 20, 7, 7)), FREED, RECLAIM, 3,
                Duration.ofNanos(1_500_000));
    }

    /**
     * The golden sample's cgroups in tracepoint mode: allocations, what each holds, node frees and reclaim
     * (per memory cgroup too), but neither positive and negative counts nor the dcache calls.
     *
     * @return the same sample at every call
     */
    public static DentrySample goldenTracepoint() {
        return new DentrySample(T0, TRACEPOINT_INFO, EnumSet.of(DentryCounter.ALLOC, DentryCounter.FREED,
                DentryCounter.RECLAIM, DentryCounter.RECLAIMED, DentryCounter.CHARGED, DentryCounter.UNCHARGED), NODE, List.of(
                new CgroupDentryCounts(101, NGINX_CGROUP, 5000, 0, 0, 0, 52_000, 5000, 1800),
                new CgroupDentryCounts(102, NGINX_OLD_CGROUP, 700, 0, 0, 0, 8_000, 700, 650),
                new CgroupDentryCounts(103, SIDECAR_CGROUP, 42, 0, 0, 0, 300, 42, 2),
                new CgroupDentryCounts(104, MARIADB_CGROUP, 9001, 0, 0, 0, 150_000, 9001, 500),
                new CgroupDentryCounts(105, SESSION_CGROUP, 12, 0, 0, 0, 25, 12, 20)), FREED, reclaim(0, 0), 3,
                Duration.ofNanos(1_500_000));
    }

    /**
     * A tracepoint-mode sample whose cgroups are named {@code /c<i>} with the given allocation counts, in order.
     *
     * @param allocations one per cgroup; a negative count leaves the cgroup out: it is gone
     * @return a sample taken at {@link #T0}
     */
    public static DentrySample counts(long... allocations) {
        List<CgroupDentryCounts> cgroups = new ArrayList<>();
        for (int i = 0; i < allocations.length; i++) {
            if (allocations[i] >= 0) {
                cgroups.add(cgroup(1000 + i, "/c" + i, allocations[i]));
            }
        }
        return sample(cgroups);
    }

    /**
     * A node-only sample ({@code mode="none"}): no counters, no cgroups, no negative count.
     *
     * @param degraded the reasons the sampler gives
     * @return a sample taken at {@link #T0}
     */
    public static DentrySample nodeOnly(List<String> degraded) {
        return new DentrySample(T0, new SamplerInfo(AttachMode.NONE, "5.4.0-150-generic", "v1", CgroupKey.MEMORY,
                "0.1.0", degraded), Set.of(), new NodeDentryState(10, 5, OptionalLong.empty()), List.of(), 0,
                DentryReclaim.NONE, 0, Duration.ofMillis(1));
    }

    /**
     * The same sample with other counters measured, as when a hook failed to attach.
     *
     * @param sample   any sample
     * @param counters the counters measured instead
     * @return a copy with {@code counters}
     */
    public static DentrySample measuring(DentrySample sample, Set<DentryCounter> counters) {
        return new DentrySample(sample.time(), sample.info(), counters, sample.node(), sample.cgroups(), sample.freed(),
                sample.reclaim(), sample.mapFullDrops(), sample.readTime());
    }

    /** {@link #RECLAIM}'s runs with these dcache calls: 0 for a mode that cannot hook them. */
    private static DentryReclaim reclaim(long pruneDcacheSb, long shrinkDcacheSb) {
        List<Long> buckets = new ArrayList<>(Collections.nCopies(40, 0L));
        buckets.set(8, 20L);   // 256-512 ns: below the first bound, 1.024 us
        buckets.set(9, 30L);   // 512 ns to 1.024 us
        buckets.set(11, 200L); // 2-4 us
        buckets.set(13, 400L); // 8-16 us
        buckets.set(16, 300L); // 66-131 us
        buckets.set(20, 200L); // 1-2 ms
        buckets.set(25, 60L);  // 34-67 ms
        buckets.set(30, 20L);  // 1.07-2.1 s
        buckets.set(35, 4L);   // 34-69 s: past the last bound, 17.2 s
        return new DentryReclaim(1234, 5_000_000, 1_250_000, Duration.ofNanos(193_335_432_000L), buckets, pruneDcacheSb,
                shrinkDcacheSb);
    }

    private static ContainerIdentity pod(String container, String containerId) {
        return new ContainerIdentity("shop", "web-0", container, "6f1c2d3e-0000-4000-8000-000000000001", containerId,
                "containerd", QosClass.BURSTABLE);
    }

    /** A cgroup in tracepoint mode: allocations only, the counters the mode cannot measure read 0. */
    private static CgroupDentryCounts cgroup(long cgroupId, String path, long allocations) {
        return new CgroupDentryCounts(cgroupId, path, allocations, 0, 0, 0, 0);
    }

    private static DentrySample sample(List<CgroupDentryCounts> cgroups) {
        return new DentrySample(T0, TRACEPOINT_INFO, Set.of(DentryCounter.ALLOC, DentryCounter.FREED), NODE, cgroups,
                FREED, DentryReclaim.NONE, 3, Duration.ofNanos(1_500_000));
    }

    private Samples() {
    }
}
