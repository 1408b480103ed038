package io.dentrywatch.core.export;

import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.core.CgroupNegativeSources;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.DirectorySource;
import io.dentrywatch.core.NegativeSources;
import io.dentrywatch.core.export.FamilyReading.Point;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dentry_negative_sources_total: present only when the sample counts sources, per container and directory, _other last. */
class NegativeSourcesFamilyTest {

    private final Feed feed = new Feed();

    private static final List<CgroupDentryCounts> CGROUPS = List.of(
            new CgroupDentryCounts(1000, "/c0", 100, 40, 7, 3, 5),
            new CgroupDentryCounts(1001, "/c1", 10, 4, 1, 0, 0));

    private static DentrySample with(NegativeSources sources) {
        DentrySample s = Feed.sample(CGROUPS, 0, 0);
        return new DentrySample(s.time(), s.info(), s.counters(), s.node(), s.cgroups(), s.freed(), s.reclaim(),
                s.mapFullDrops(), s.readTime(), s.ownerUnknown(), sources);
    }

    private Map<List<String>, Double> read(DentrySample sample) {
        feed.set(sample);
        for (FamilyReading family : FamilyReader.of(feed.sampler(feed.settings())).read()) {
            if (family.family() == MetricFamily.DENTRY_NEGATIVE_SOURCES) {
                Map<List<String>, Double> points = new LinkedHashMap<>();
                for (Point p : family.points()) {
                    points.put(p.labelValues(), p.value());
                }
                return points;
            }
        }
        return null;
    }

    @Test
    void absentWhenNotCounted() {
        assertEquals(null, read(Feed.sample(CGROUPS, 0, 0)));
        assertEquals(null, read(with(NegativeSources.unavailable("tracepoint mode"))));
    }

    @Test
    void perContainerDirectoriesThenOther() {
        NegativeSources sources = new NegativeSources(Optional.empty(), List.of(
                new CgroupNegativeSources(1000, "/c0", List.of(
                        new DirectorySource("ext4:/var/cache", "ext4", "vda1", 5, 0),
                        new DirectorySource("ext4:.../lib/mysql/#sql-*_*", "ext4", "vda1", 20, 2)), 4),
                new CgroupNegativeSources(1001, "/c1", List.of(), 3)), 3, 3, 3);
        Map<List<String>, Double> points = read(with(sources));
        assertTrue(points != null, "present");
        assertEquals(List.of(
                List.of("", "", "/c0", "ext4:.../lib/mysql/#sql-*_*"),
                List.of("", "", "/c0", "ext4:/var/cache"),
                List.of("", "", "/c0", "_other"),
                List.of("", "", "/c1", "_other")), List.copyOf(points.keySet()));
        assertEquals(22.0, points.get(List.of("", "", "/c0", "ext4:.../lib/mysql/#sql-*_*")));
        assertEquals(4.0, points.get(List.of("", "", "/c0", "_other")));
    }
}
