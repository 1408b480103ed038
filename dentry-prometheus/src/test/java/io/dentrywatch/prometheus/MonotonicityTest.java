package io.dentrywatch.prometheus;

import io.dentrywatch.core.ContainerIdentity;
import io.dentrywatch.core.DentrySample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Counters never go backwards while their series lives, whatever the cgroups underneath do. */
class MonotonicityTest {

    private static final String NGINX = "{container=\"nginx\",namespace=\"shop\",pod=\"web-0\"}";

    private final AtomicReference<DentrySample> current = new AtomicReference<>();
    private final MutableClock clock = new MutableClock(Samples.T0);

    private DentryCollector collector() {
        return DentryCollector.builder(current::get)
                .containerResolver(Samples.resolver())
                .minReadInterval(Duration.ZERO)
                .clock(clock)
                .build();
    }

    @Test
    void cgroupsOfOneContainerAreSummed() {
        current.set(Samples.golden());

        Map<String, Double> alloc = Exposition.family(Exposition.scrape(collector()), "dentry_alloc_total");

        assertEquals(5700.0, alloc.get(NGINX)); // cgroups 101 and 102 both resolve to shop/web-0/nginx
        assertEquals(9001.0, alloc.get("{container=\"mariadb.service\",namespace=\"\",pod=\"\"}"));
        assertEquals(12.0, alloc.get("{container=\"" + Samples.SESSION_CGROUP + "\",namespace=\"\",pod=\"\"}"));
    }

    @Test
    void aRestartedContainerAddsItsNewCgroupToWhatTheOldOneCounted() {
        DentryCollector collector = collector();
        current.set(Samples.sample(Samples.T0, List.of(Samples.cgroup(101, Samples.NGINX_CGROUP, 5000))));
        Exposition.scrape(collector);

        current.set(Samples.sample(Samples.T0, List.of(Samples.cgroup(102, Samples.NGINX_OLD_CGROUP, 300))));

        assertEquals(5300.0, Exposition.family(Exposition.scrape(collector), "dentry_alloc_total").get(NGINX));
    }

    @Test
    void aReopenedSamplerStartingFromZeroDoesNotResetTheSeries() {
        DentryCollector collector = collector();
        current.set(Samples.counts(1000));
        Exposition.scrape(collector);
        current.set(Samples.counts(40)); // the source restarted its count
        assertEquals(1040.0, allocOfC0(Exposition.scrape(collector)));
        current.set(Samples.counts(100));
        assertEquals(1100.0, allocOfC0(Exposition.scrape(collector)));
    }

    @Test
    void mapFullDropsNeverDecrease() {
        DentryCollector collector = collector();
        current.set(withDrops(3));
        Exposition.scrape(collector);
        current.set(withDrops(1));

        assertEquals(4.0, Exposition.scrape(collector).get("dentry_monitor_map_full_drops_total"));
    }

    @Test
    void aCgroupResolvedAnewCountsInFullForItsNewSeriesWhileTheOldOneKeepsItsValue() {
        AtomicReference<String> podName = new AtomicReference<>("");
        DentryCollector collector = DentryCollector.builder(current::get)
                .containerResolver((id, path) -> podName.get().isEmpty()
                        ? ContainerIdentity.nonPod(path)
                        : Samples.pod("shop", podName.get(), "nginx", "aaa"))
                .minReadInterval(Duration.ZERO)
                .clock(clock)
                .build();
        current.set(Samples.counts(10));
        Exposition.scrape(collector);

        podName.set("web-0"); // the pod informer caught up
        current.set(Samples.counts(12));
        Map<String, Double> alloc = Exposition.family(Exposition.scrape(collector), "dentry_alloc_total");

        assertEquals(Map.of(
                "{container=\"/c0\",namespace=\"\",pod=\"\"}", 10.0,
                NGINX, 12.0), alloc);
    }

    private static double allocOfC0(Map<String, Double> series) {
        return series.get("dentry_alloc_total{container=\"/c0\",namespace=\"\",pod=\"\"}");
    }

    private static DentrySample withDrops(long drops) {
        DentrySample sample = Samples.counts(1);
        return new DentrySample(sample.time(), sample.info(), sample.counters(), sample.node(), sample.cgroups(), drops,
                sample.readTime());
    }
}
