package io.dentrywatch.micrometer;

import io.dentrywatch.core.CgroupNegativeSources;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.DirectorySource;
import io.dentrywatch.core.NegativeSources;
import io.dentrywatch.prometheus.Samples;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dentry.negative.sources: a FunctionCounter per container and directory, tagged directory; absent when not counted. */
class NegativeSourcesMeterTest {

    private static final String MARIADB = "/system.slice/mariadb.service"; // cgroup 104 of the golden sample

    private static DentrySample withSources(NegativeSources sources) {
        DentrySample g = Samples.golden();
        return new DentrySample(g.time(), g.info(), g.counters(), g.node(), g.cgroups(), g.freed(), g.reclaim(),
                g.mapFullDrops(), g.readTime(), g.ownerUnknown(), sources);
    }

    private static MeterRegistry bind(DentrySample sample) {
        MeterRegistry registry = new SimpleMeterRegistry();
        DentryMetrics.builder(() -> sample).containerResolver(Samples.byPath()).minReadInterval(Duration.ZERO).build()
                .bindTo(registry);
        return registry;
    }

    @Test
    void aCounterPerContainerAndDirectory() {
        MeterRegistry registry = bind(withSources(new NegativeSources(Optional.empty(), List.of(
                new CgroupNegativeSources(104, MARIADB, List.of(
                        new DirectorySource("ext4:.../lib/mysql/#sql-*_*", "ext4", "vda1", 2000, 200)), 50)), 1, 1, 1)));
        assertEquals(2200.0, registry.get("dentry.negative.sources").tag("container", MARIADB)
                .tag("directory", "ext4:.../lib/mysql/#sql-*_*").functionCounter().count());
        assertEquals(50.0, registry.get("dentry.negative.sources").tag("container", MARIADB).tag("directory", "_other")
                .functionCounter().count());
    }

    @Test
    void noCounterWhenNotCounted() {
        assertTrue(bind(Samples.golden()).find("dentry.negative.sources").meters().isEmpty());
        assertTrue(bind(withSources(NegativeSources.unavailable("tracepoint mode"))).find("dentry.negative.sources")
                .meters().isEmpty());
    }
}
