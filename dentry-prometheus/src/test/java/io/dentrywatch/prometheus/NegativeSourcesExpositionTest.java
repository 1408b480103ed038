package io.dentrywatch.prometheus;

import io.dentrywatch.core.CgroupNegativeSources;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.DirectorySource;
import io.dentrywatch.core.NegativeSources;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dentry_negative_sources_total as Prometheus text: per container and directory, each container's _other. */
class NegativeSourcesExpositionTest {

    /** The golden sample with negative sources counted for the mariadb service and the sidecar. */
    static DentrySample goldenWithSources() {
        DentrySample g = Samples.golden();
        NegativeSources sources = new NegativeSources(Optional.empty(), List.of(
                new CgroupNegativeSources(104, Samples.MARIADB_CGROUP, List.of(
                        new DirectorySource("ext4:.../lib/mysql/#sql-*_*", "ext4", "vda1", 2000, 200),
                        new DirectorySource("ext4:/tmp", "ext4", "vda1", 150, 0)), 50),
                new CgroupNegativeSources(103, Samples.SIDECAR_CGROUP, List.of(
                        new DirectorySource("overlay:/etc/ssl/certs", "overlay", "overlay", 8, 0)), 0)),
                3, 3, 3);
        return new DentrySample(g.time(), g.info(), g.counters(), g.node(), g.cgroups(), g.freed(), g.reclaim(),
                g.mapFullDrops(), g.readTime(), g.ownerUnknown(), sources);
    }

    private static String scrape(DentrySample sample) {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(DentryCollector.builder(() -> sample).containerResolver(Samples.byPath()).build());
        return Exposition.text(registry.scrape());
    }

    @Test
    void aContainersDirectoriesThenItsOther() {
        String text = scrape(goldenWithSources());
        String mariadb = "container=\"" + Samples.MARIADB_CGROUP + "\"";
        assertTrue(text.contains("# TYPE dentry_negative_sources_total counter"), text);
        assertTrue(text.contains("dentry_negative_sources_total{" + mariadb
                + ",directory=\"ext4:.../lib/mysql/#sql-*_*\",namespace=\"\",pod=\"\"} 2200.0"), text);
        assertTrue(text.contains("dentry_negative_sources_total{" + mariadb
                + ",directory=\"_other\",namespace=\"\",pod=\"\"} 50.0"), text);
        assertTrue(text.contains("directory=\"overlay:/etc/ssl/certs\""), text);
    }

    @Test
    void absentWhenNotRequested() {
        assertFalse(scrape(Samples.golden()).contains("dentry_negative_sources"));
        DentrySample g = Samples.golden();
        DentrySample unavailable = new DentrySample(g.time(), g.info(), g.counters(), g.node(), g.cgroups(), g.freed(),
                g.reclaim(), g.mapFullDrops(), g.readTime(), 0, NegativeSources.unavailable("tracepoint mode"));
        assertEquals(-1, scrape(unavailable).indexOf("dentry_negative_sources"));
    }
}
