package io.dentrywatch.micrometer;

import io.dentrywatch.core.export.MetricFamily;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The meter names this module documents, derived from the shared catalogue. */
class MeterNamesTest {

    @Test
    void everyFamilyHasTheDocumentedMeterName() {
        Map<MetricFamily, String> names = Arrays.stream(MetricFamily.values())
                .collect(Collectors.toMap(Function.identity(), MeterNames::name));

        assertEquals(Map.ofEntries(
                Map.entry(MetricFamily.DENTRY_ALLOC, "dentry.alloc"),
                Map.entry(MetricFamily.DENTRY_POSITIVE, "dentry.positive"),
                Map.entry(MetricFamily.DENTRY_NEGATIVE, "dentry.negative"),
                Map.entry(MetricFamily.DENTRY_NEGATIVE_LOOKUP, "dentry.negative.lookup"),
                Map.entry(MetricFamily.DENTRY_NEGATIVE_UNLINK, "dentry.negative.unlink"),
                Map.entry(MetricFamily.DENTRY_NEGATIVE_SOURCES, "dentry.negative.sources"),
                Map.entry(MetricFamily.DENTRY_RECLAIMED, "dentry.reclaimed"),
                Map.entry(MetricFamily.DENTRY_RESIDENT, "dentry.resident"),
                Map.entry(MetricFamily.DENTRY_NEGATIVE_RESIDENT, "dentry.negative.resident"),
                Map.entry(MetricFamily.NODE_DENTRY_COUNT, "node.dentry.count"),
                Map.entry(MetricFamily.NODE_DENTRY_FREED, "node.dentry.freed"),
                Map.entry(MetricFamily.NODE_DENTRY_RECLAIM, "node.dentry.reclaim"),
                Map.entry(MetricFamily.NODE_DENTRY_RECLAIM_SCANNED, "node.dentry.reclaim.scanned.objects"),
                Map.entry(MetricFamily.NODE_DENTRY_RECLAIMED, "node.dentry.reclaimed.objects"),
                Map.entry(MetricFamily.NODE_DENTRY_RECLAIM_DURATION, "node.dentry.reclaim.duration"),
                Map.entry(MetricFamily.NODE_DENTRY_PRUNE_DCACHE_SB, "node.dentry.prune.dcache.sb"),
                Map.entry(MetricFamily.NODE_DENTRY_SHRINK_DCACHE_SB, "node.dentry.shrink.dcache.sb"),
                Map.entry(MetricFamily.OOM_KILLS, "oom.kills"),
                Map.entry(MetricFamily.OOM_KILLS_PER_NODE, "oom.kills.per.node"),
                Map.entry(MetricFamily.OOM_MEMORY_USAGE, "oom.memory.usage"),
                Map.entry(MetricFamily.OOM_LAST_TIMESTAMP, "oom.last.timestamp"),
                Map.entry(MetricFamily.OOM_LOST_EVENTS, "oom.lost.events"),
                Map.entry(MetricFamily.OOM_DEGRADED, "oom.watcher.degraded.info"),
                Map.entry(MetricFamily.MONITOR_INFO, "dentry.monitor.info"),
                Map.entry(MetricFamily.MONITOR_CGROUP_KEY, "dentry.monitor.cgroup.key.info"),
                Map.entry(MetricFamily.MONITOR_DEGRADED, "dentry.monitor.degraded.info"),
                Map.entry(MetricFamily.FAMILY_AVAILABLE, "dentry.monitor.family.available"),
                Map.entry(MetricFamily.TRACKED_CGROUPS, "dentry.monitor.tracked.cgroups"),
                Map.entry(MetricFamily.CONTAINERS, "dentry.monitor.containers"),
                Map.entry(MetricFamily.MAP_FULL_DROPS, "dentry.monitor.map.full.drops"),
                Map.entry(MetricFamily.OWNER_UNKNOWN, "dentry.monitor.owner.unknown"),
                Map.entry(MetricFamily.SAMPLE_DURATION, "dentry.monitor.sample.duration"),
                Map.entry(MetricFamily.SAMPLE_TIMESTAMP, "dentry.monitor.sample.timestamp"),
                Map.entry(MetricFamily.READS, "dentry.monitor.reads"),
                Map.entry(MetricFamily.READ_ERRORS, "dentry.monitor.read.errors")), names);
    }

    @Test
    void aHistogramsBucketsAreCountersBesideItsTimer() {
        assertEquals("node.dentry.reclaim.duration.buckets", MeterNames.buckets(MetricFamily.NODE_DENTRY_RECLAIM_DURATION));
        assertEquals("upper.bound", MeterNames.UPPER_BOUND);
    }

    @Test
    void tagNamesAreDottedLabelNames() {
        assertEquals(List.of("mode", "kernel", "cgroup.mode", "version"),
                MetricFamily.MONITOR_INFO.labelNames().stream().map(MeterNames::tag).toList());
        assertEquals("memory.type", MeterNames.tag(MetricFamily.OOM_MEMORY_USAGE.labelNames().getLast()));
    }
}
