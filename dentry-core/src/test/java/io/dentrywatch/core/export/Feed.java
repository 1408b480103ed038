package io.dentrywatch.core.export;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.core.CgroupKey;
import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentryReclaim;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A sample source tests script, and the sampler over it: each {@link #read()} reads what was last
 * {@link #set}, or throws while {@link #failing} is on.
 */
final class Feed {

    static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    private static final SamplerInfo FENTRY = new SamplerInfo(AttachMode.FENTRY, "6.18.0-fc", "v2", CgroupKey.V2,
            "0.1.0", List.of());
    private static final NodeDentryState NODE = new NodeDentryState(1_000, 100, OptionalLong.of(10));

    final MutableClock clock = new MutableClock(T0);
    private final AtomicReference<DentrySample> current = new AtomicReference<>();
    private volatile boolean failing;

    /** Settings over this feed's clock that read at every call and keep gone containers an hour. */
    ExportSettings settings() {
        return ExportSettings.defaults()
                .withContainerResolver(Feed::byPath)
                .withClock(clock)
                .withMinReadInterval(Duration.ZERO)
                .withDeletedSeriesGrace(Duration.ofHours(1));
    }

    ThrottledSampler sampler(ExportSettings settings) {
        return new ThrottledSampler(this::get, settings);
    }

    /** Sets what the next read returns. */
    Feed set(DentrySample sample) {
        current.set(sample);
        return this;
    }

    void failing(boolean failing) {
        this.failing = failing;
    }

    private DentrySample get() {
        if (failing) {
            throw new IllegalStateException("bpf_map_lookup_batch failed: EFAULT");
        }
        return current.get();
    }

    /** Each cgroup is its own non-pod container, named after its path. */
    static ContainerIdentity byPath(long cgroupId, String path) {
        return ContainerIdentity.nonPod(path);
    }

    /** A resolver that puts the cgroups with the given ids into one pod container. */
    static ContainerResolver podOf(String namespace, String pod, String container, long... cgroupIds) {
        return (id, path) -> {
            for (long member : cgroupIds) {
                if (member == id) {
                    return new ContainerIdentity(namespace, pod, container, "6f1c2d3e-0000-4000-8000-000000000001",
                            "aaa", "containerd", ContainerIdentity.QosClass.BURSTABLE);
                }
            }
            return ContainerIdentity.nonPod(path);
        };
    }

    static SeriesLabels nonPod(String container) {
        return new SeriesLabels("", "", container);
    }

    /** A sample whose cgroups are named {@code /c<i>} with the given allocation counts; a negative count leaves it out. */
    static DentrySample allocs(long... allocations) {
        List<CgroupDentryCounts> cgroups = new ArrayList<>();
        for (int i = 0; i < allocations.length; i++) {
            if (allocations[i] >= 0) {
                cgroups.add(new CgroupDentryCounts(1000 + i, "/c" + i, allocations[i], 0, 0, 0, 0));
            }
        }
        return sample(cgroups, 0, 0);
    }

    /** A fentry-mode sample: every counter measured. */
    static DentrySample sample(List<CgroupDentryCounts> cgroups, long freed, long mapFullDrops) {
        return sample(cgroups, freed, DentryReclaim.NONE, mapFullDrops);
    }

    /** A fentry-mode sample with reclaim: every counter measured. */
    static DentrySample sample(List<CgroupDentryCounts> cgroups, long freed, DentryReclaim reclaim, long mapFullDrops) {
        return new DentrySample(T0, FENTRY, EnumSet.allOf(DentryCounter.class), NODE, cgroups, freed, reclaim, mapFullDrops,
                Duration.ofMillis(1));
    }

    /** One family of a reading: labels to value, sorted. */
    static Map<SeriesLabels, Long> family(Reading reading, MetricFamily family) {
        Map<SeriesLabels, Long> values = new TreeMap<>();
        for (ContainerSeries series : reading.series()) {
            values.put(series.labels(), series.value(family));
        }
        return values;
    }

    static Map<SeriesLabels, Long> alloc(Reading reading) {
        return family(reading, MetricFamily.DENTRY_ALLOC);
    }
}
