package io.dentrywatch.core.export;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupKey;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentryReclaim;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import io.dentrywatch.core.export.MetricFamily.Type;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue of families: names that follow Prometheus' conventions, and which families a sample measures. */
class MetricFamilyTest {

    @Test
    void namesCarryTheirTypeAndUnitSuffixes() {
        for (MetricFamily family : MetricFamily.values()) {
            String name = family.prometheusName();
            assertTrue(name.matches("[a-z][a-z_]*[a-z]"), name);
            assertEquals(family.type() == Type.COUNTER, name.endsWith("_total"), name);
            assertEquals(family.type() == Type.INFO, name.endsWith("_info"), name);
            assertFalse(family.type() == Type.HISTOGRAM && name.matches(".*_(bucket|count|sum)"), name);
            if (!family.unit().isEmpty()) {
                assertTrue(name.endsWith("_" + family.unit()), name);
            }
            assertFalse(family.help().isBlank(), name);
        }
    }

    @Test
    void thePerContainerFamiliesAreTheCountersLabelledByContainerAndTheNodeCountersTheRestOfTheFedCounters() {
        assertEquals(List.of(MetricFamily.DENTRY_ALLOC, MetricFamily.DENTRY_POSITIVE, MetricFamily.DENTRY_NEGATIVE,
                MetricFamily.DENTRY_NEGATIVE_LOOKUP, MetricFamily.DENTRY_NEGATIVE_UNLINK, MetricFamily.DENTRY_RECLAIMED,
                MetricFamily.DENTRY_RESIDENT, MetricFamily.DENTRY_NEGATIVE_RESIDENT),
                MetricFamily.perContainerFamilies());
        for (MetricFamily family : MetricFamily.perContainerFamilies()) {
            assertEquals(List.of("namespace", "pod", "container"), family.labelNames(), family.prometheusName());
            // the flows are counters; what a container holds now is a gauge, its sources kept by owner
            boolean held = family.sources().stream().allMatch(DentryCounter::byOwner);
            assertEquals(held ? Type.GAUGE : Type.COUNTER, family.type(), family.prometheusName());
        }
        assertEquals(List.of(MetricFamily.NODE_DENTRY_FREED, MetricFamily.NODE_DENTRY_RECLAIM,
                MetricFamily.NODE_DENTRY_RECLAIM_SCANNED, MetricFamily.NODE_DENTRY_RECLAIMED,
                MetricFamily.NODE_DENTRY_PRUNE_DCACHE_SB, MetricFamily.NODE_DENTRY_SHRINK_DCACHE_SB),
                MetricFamily.nodeCounters());
        for (MetricFamily family : MetricFamily.nodeCounters()) {
            assertEquals(List.of(), family.labelNames(), family.prometheusName());
        }
        assertEquals(List.of(MetricFamily.DENTRY_ALLOC, MetricFamily.DENTRY_POSITIVE, MetricFamily.DENTRY_NEGATIVE,
                MetricFamily.DENTRY_NEGATIVE_LOOKUP, MetricFamily.DENTRY_NEGATIVE_UNLINK, MetricFamily.DENTRY_RECLAIMED,
                MetricFamily.DENTRY_RESIDENT, MetricFamily.DENTRY_NEGATIVE_RESIDENT, MetricFamily.NODE_DENTRY_FREED, MetricFamily.NODE_DENTRY_RECLAIM, MetricFamily.NODE_DENTRY_RECLAIM_SCANNED,
                MetricFamily.NODE_DENTRY_RECLAIMED, MetricFamily.NODE_DENTRY_RECLAIM_DURATION,
                MetricFamily.NODE_DENTRY_PRUNE_DCACHE_SB, MetricFamily.NODE_DENTRY_SHRINK_DCACHE_SB),
                MetricFamily.measurable());
        assertEquals(List.of("mode", "kernel", "cgroup_mode", "version"), MetricFamily.MONITOR_INFO.labelNames());
    }

    @Test
    void theOomWatchersFamiliesAreLabelledByNodeAndTheSamplersAreTheRest() {
        assertEquals(List.of(MetricFamily.OOM_KILLS, MetricFamily.OOM_KILLS_PER_NODE, MetricFamily.OOM_MEMORY_USAGE,
                MetricFamily.OOM_LAST_TIMESTAMP, MetricFamily.OOM_LOST_EVENTS, MetricFamily.OOM_DEGRADED),
                MetricFamily.oomWatcherFamilies());
        for (MetricFamily family : MetricFamily.oomWatcherFamilies()) {
            assertEquals("node", family.labelNames().getFirst(), family.prometheusName());
            assertTrue(family.sources().isEmpty(), family.prometheusName());
            assertFalse(MetricFamily.samplerFamilies().contains(family), family.prometheusName());
        }
        assertEquals(List.of("node", "namespace", "pod", "container"), MetricFamily.OOM_KILLS.labelNames());
        assertEquals(List.of("node", "namespace", "pod", "container", "memory_type"),
                MetricFamily.OOM_MEMORY_USAGE.labelNames());
        assertEquals(MetricFamily.values().length,
                MetricFamily.samplerFamilies().size() + MetricFamily.oomWatcherFamilies().size());
    }

    @Test
    void aFamilyIsMeasuredOnlyWhenEveryOneOfItsSourcesIs() {
        DentrySample tracepoint = measuring(EnumSet.of(DentryCounter.ALLOC, DentryCounter.FREED, DentryCounter.RECLAIM,
                DentryCounter.RECLAIMED));
        DentrySample lookupOnly = measuring(EnumSet.of(DentryCounter.ALLOC, DentryCounter.NEGATIVE_LOOKUP));
        DentrySample fentry = measuring(EnumSet.allOf(DentryCounter.class));

        assertTrue(MetricFamily.DENTRY_ALLOC.measuredIn(tracepoint));
        assertTrue(MetricFamily.NODE_DENTRY_FREED.measuredIn(tracepoint));
        assertFalse(MetricFamily.DENTRY_POSITIVE.measuredIn(tracepoint));
        assertFalse(MetricFamily.DENTRY_NEGATIVE.measuredIn(tracepoint));
        assertTrue(MetricFamily.NODE_DENTRY_RECLAIM.measuredIn(tracepoint));
        assertTrue(MetricFamily.NODE_DENTRY_RECLAIM_DURATION.measuredIn(tracepoint));
        assertTrue(MetricFamily.DENTRY_RECLAIMED.measuredIn(tracepoint));
        assertFalse(MetricFamily.NODE_DENTRY_PRUNE_DCACHE_SB.measuredIn(tracepoint), "no tracepoint for prune_dcache_sb");
        assertFalse(MetricFamily.NODE_DENTRY_SHRINK_DCACHE_SB.measuredIn(tracepoint));
        assertTrue(MetricFamily.DENTRY_NEGATIVE_LOOKUP.measuredIn(lookupOnly));
        assertFalse(MetricFamily.DENTRY_NEGATIVE.measuredIn(lookupOnly), "a partial sum would undercount");
        for (MetricFamily family : MetricFamily.measurable()) {
            assertTrue(family.measuredIn(fentry), family.name());
        }
        assertFalse(MetricFamily.DENTRY_ALLOC.measuredIn(measuring(Set.of())), "node-only mode");
        assertFalse(MetricFamily.NODE_DENTRY_COUNT.measuredIn(fentry), "no core counter feeds it");
    }

    private static DentrySample measuring(Set<DentryCounter> counters) {
        return new DentrySample(Feed.T0, new SamplerInfo(AttachMode.FENTRY, "6.18.0", "v2", CgroupKey.V2, "0.1.0",
                List.of()), counters, new NodeDentryState(1, 1, OptionalLong.empty()), List.of(), 0, DentryReclaim.NONE, 0,
                Duration.ZERO);
    }
}
