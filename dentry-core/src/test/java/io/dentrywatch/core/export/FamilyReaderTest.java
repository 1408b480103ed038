package io.dentrywatch.core.export;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.core.CgroupKey;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentryReclaim;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.oom.OomCgroupStats;
import io.dentrywatch.oom.OomKill;
import io.dentrywatch.oom.OomScope;
import io.dentrywatch.oom.OomStats;
import io.dentrywatch.core.SamplerInfo;
import io.dentrywatch.core.export.FamilyReading.Point;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a reading becomes the families every adapter exports: which families, in which order, with which points. */
class FamilyReaderTest {

    private final Feed feed = new Feed();

    private static final List<CgroupDentryCounts> TWO_CGROUPS = List.of(
            new CgroupDentryCounts(1000, "/c0", 100, 40, 7, 3, 5),
            new CgroupDentryCounts(1001, "/c1", 10, 4, 1, 0, 0));

    /** The families of one read of {@code sample}, by family. */
    private Map<MetricFamily, FamilyReading> read(DentrySample sample) {
        feed.set(sample);
        Map<MetricFamily, FamilyReading> families = new LinkedHashMap<>();
        for (FamilyReading family : FamilyReader.of(feed.sampler(feed.settings())).read()) {
            assertEquals(null, families.put(family.family(), family), "each family once");
        }
        return families;
    }

    /** A family's points as label values to value. */
    private static Map<List<String>, Double> points(FamilyReading family) {
        Map<List<String>, Double> points = new LinkedHashMap<>();
        for (Point point : family.points()) {
            assertEquals(family.family().labelNames().size(), point.labelValues().size(), family.family() + "'s labels");
            points.put(point.labelValues(), point.value());
        }
        return points;
    }

    @Test
    void aSampleMeasuringEverythingExportsEverySamplerFamily() {
        DentryReclaim reclaim = new DentryReclaim(3, 3000, 1200, Duration.ofMillis(6), List.of(), 2, 1);
        Map<MetricFamily, FamilyReading> families = read(Feed.sample(TWO_CGROUPS, 77, reclaim, 4));

        List<MetricFamily> expected = MetricFamily.samplerFamilies().stream()
                .filter(family -> family != MetricFamily.MONITOR_DEGRADED) // nothing degraded
                .filter(family -> family != MetricFamily.DENTRY_NEGATIVE_SOURCES) // opt-in, not requested
                .toList();
        assertEquals(List.copyOf(expected), List.copyOf(families.keySet()).stream()
                .sorted().toList(), "every sampler family but the degraded one");
        assertEquals(Map.of(List.of("", "", "/c0"), 100.0, List.of("", "", "/c1"), 10.0),
                points(families.get(MetricFamily.DENTRY_ALLOC)));
        assertEquals(Map.of(List.of("", "", "/c0"), 10.0, List.of("", "", "/c1"), 1.0),
                points(families.get(MetricFamily.DENTRY_NEGATIVE)), "lookup plus unlink");
        assertEquals(Map.of(List.of("total"), 1000.0, List.of("unused"), 100.0, List.of("negative"), 10.0),
                points(families.get(MetricFamily.NODE_DENTRY_COUNT)));
        assertEquals(Map.of(List.of(), 77.0), points(families.get(MetricFamily.NODE_DENTRY_FREED)));
        assertEquals(Map.of(List.of(), 3.0), points(families.get(MetricFamily.NODE_DENTRY_RECLAIM)));
        assertEquals(Map.of(List.of(), 1200.0), points(families.get(MetricFamily.NODE_DENTRY_RECLAIMED)));
        FamilyReading duration = families.get(MetricFamily.NODE_DENTRY_RECLAIM_DURATION);
        assertEquals(Optional.of(ReclaimDurationHistogram.of(reclaim)), duration.histogram());
        assertTrue(duration.points().isEmpty());
        assertEquals(Map.of(List.of("fentry", "6.18.0-fc", "v2", "0.1.0"), 1.0),
                points(families.get(MetricFamily.MONITOR_INFO)));
        assertEquals(Map.of(List.of("v2"), 1.0), points(families.get(MetricFamily.MONITOR_CGROUP_KEY)));
        assertTrue(points(families.get(MetricFamily.FAMILY_AVAILABLE)).values().stream().allMatch(v -> v == 1.0));
        assertEquals(MetricFamily.measurable().size(), families.get(MetricFamily.FAMILY_AVAILABLE).points().size());
        assertEquals(Map.of(List.of(), 2.0), points(families.get(MetricFamily.TRACKED_CGROUPS)));
        assertEquals(Map.of(List.of(), 4.0), points(families.get(MetricFamily.MAP_FULL_DROPS)));
        assertEquals(Map.of(List.of(), 0.001), points(families.get(MetricFamily.SAMPLE_DURATION)));
        assertEquals(Map.of(List.of(), Feed.T0.toEpochMilli() / 1e3), points(families.get(MetricFamily.SAMPLE_TIMESTAMP)));
        assertEquals(Map.of(List.of("own"), 2.0, List.of("other"), 0.0), points(families.get(MetricFamily.CONTAINERS)));
        assertEquals(Map.of(List.of(), 1.0), points(families.get(MetricFamily.READS)));
        assertEquals(Map.of(List.of(), 0.0), points(families.get(MetricFamily.READ_ERRORS)));
    }

    @Test
    void aFamilyTheSampleDoesNotMeasureIsAbsentNotZero() {
        SamplerInfo tracepoints = new SamplerInfo(AttachMode.TRACEPOINT, "6.18.0-fc", "v2", CgroupKey.V2, "0.1.0",
                List.of("no kprobes", "no kprobes"));
        DentrySample sample = new DentrySample(Feed.T0, tracepoints, EnumSet.of(DentryCounter.ALLOC, DentryCounter.FREED,
                DentryCounter.NEGATIVE_LOOKUP), new NodeDentryState(1_000, 100, OptionalLong.empty()), TWO_CGROUPS, 5,
                DentryReclaim.NONE, 0, Duration.ofMillis(1));

        Map<MetricFamily, FamilyReading> families = read(sample);

        assertTrue(families.containsKey(MetricFamily.DENTRY_ALLOC));
        assertTrue(families.containsKey(MetricFamily.DENTRY_NEGATIVE_LOOKUP));
        assertFalse(families.containsKey(MetricFamily.DENTRY_NEGATIVE), "half of it measured would undercount");
        assertFalse(families.containsKey(MetricFamily.DENTRY_POSITIVE));
        assertFalse(families.containsKey(MetricFamily.NODE_DENTRY_RECLAIM));
        assertFalse(families.containsKey(MetricFamily.NODE_DENTRY_RECLAIM_DURATION));
        assertEquals(Map.of(List.of("total"), 1000.0, List.of("unused"), 100.0),
                points(families.get(MetricFamily.NODE_DENTRY_COUNT)), "no negative count on this kernel");
        Map<List<String>, Double> available = points(families.get(MetricFamily.FAMILY_AVAILABLE));
        assertEquals(1.0, available.get(List.of("dentry_alloc_total")));
        assertEquals(0.0, available.get(List.of("dentry_negative_total")));
        assertEquals(Map.of(List.of("no kprobes"), 1.0), points(families.get(MetricFamily.MONITOR_DEGRADED)),
                "a reason once");
    }

    @Test
    void aMeasuredPerContainerFamilyWithoutContainersHasNoPoints() {
        Map<MetricFamily, FamilyReading> families = read(Feed.sample(List.of(), 0, 0));

        assertEquals(List.of(), families.get(MetricFamily.DENTRY_ALLOC).points());
    }

    @Test
    void beforeAnySampleOnlyTheReadersOwnFamilies() {
        feed.failing(true);
        List<FamilyReading> families = FamilyReader.of(feed.sampler(feed.settings())).read();

        assertEquals(List.of(MetricFamily.CONTAINERS, MetricFamily.READS, MetricFamily.READ_ERRORS),
                families.stream().map(FamilyReading::family).toList());
        assertEquals(Map.of(List.of(), 1.0), points(families.get(2)));
    }

    @Test
    void readsThatShareAReadingShareItsFamilies() {
        feed.set(Feed.allocs(1, 2));
        FamilyReader reader = FamilyReader.of(feed.sampler(feed.settings().withMinReadInterval(Duration.ofSeconds(10))));

        List<FamilyReading> first = reader.read();
        feed.clock.advance(Duration.ofSeconds(9));
        assertSame(first, reader.read(), "within the minimum read interval");
        feed.clock.advance(Duration.ofSeconds(1));
        assertNotSame(first, reader.read(), "a new kernel read");
    }

    @Test
    void anOomReadingExportsTheNodeFamiliesAndThePerContainerOnesOnceAContainerHasAKill() {
        AtomicReference<OomStats> stats = new AtomicReference<>(new OomStats(0, 0, List.of()));
        FamilyReader reader = FamilyReader.of(new OomAdapterBuilder<>(stats::get, r -> r).node("n1")
                .containerResolver(Feed::byPath).degraded(List.of("no memcg", "no memcg")).clock(feed.clock).book());

        List<FamilyReading> none = reader.read();
        assertEquals(List.of(MetricFamily.OOM_KILLS_PER_NODE, MetricFamily.OOM_LOST_EVENTS, MetricFamily.OOM_DEGRADED),
                none.stream().map(FamilyReading::family).toList());
        assertEquals(Map.of(List.of("n1", "no memcg"), 1.0), points(none.get(2)), "a reason once");

        OomKill kill = new OomKill(Feed.T0.minusSeconds(30), 4242, 4242, "java", 7, "/c7", OomScope.MEMORY_CGROUP,
                Map.of(MemoryType.ANON_RSS, 1L << 20, MemoryType.TOTAL_VM, 4L << 20), 0);
        stats.set(new OomStats(3, 1, List.of(new OomCgroupStats(7, "/c7", 2, kill))));
        List<FamilyReading> killed = reader.read();

        assertEquals(List.of(MetricFamily.OOM_KILLS, MetricFamily.OOM_LAST_TIMESTAMP, MetricFamily.OOM_MEMORY_USAGE,
                        MetricFamily.OOM_KILLS_PER_NODE, MetricFamily.OOM_LOST_EVENTS, MetricFamily.OOM_DEGRADED),
                killed.stream().map(FamilyReading::family).toList());
        List<String> c7 = List.of("n1", "", "", "/c7");
        assertEquals(Map.of(c7, 2.0), points(killed.get(0)));
        assertEquals(Map.of(c7, (Feed.T0.getEpochSecond() - 30) + Feed.T0.getNano() / 1e9), points(killed.get(1)));
        assertEquals(Map.of(List.of("n1", "", "", "/c7", "anon_rss"), (double) (1L << 20),
                List.of("n1", "", "", "/c7", "total_vm"), (double) (4L << 20)), points(killed.get(2)));
        assertEquals(Map.of(List.of("n1"), 3.0), points(killed.get(3)));
        assertEquals(Map.of(List.of("n1"), 1.0), points(killed.get(4)));
        assertSame(killed, reader.read(), "nothing new");
    }

    @Test
    void aHistogramIsGivenExactlyForAHistogramFamily() {
        ReclaimDurationHistogram histogram = ReclaimDurationHistogram.of(DentryReclaim.NONE);

        assertThrows(IllegalArgumentException.class, () -> new FamilyReading(MetricFamily.NODE_DENTRY_RECLAIM_DURATION,
                List.of()));
        assertThrows(IllegalArgumentException.class, () -> new FamilyReading(MetricFamily.NODE_DENTRY_RECLAIM, histogram));
        assertThrows(IllegalArgumentException.class, () -> new FamilyReading(MetricFamily.NODE_DENTRY_RECLAIM_DURATION,
                List.of(new Point(List.of(), 1)), Optional.of(histogram)));
    }
}
