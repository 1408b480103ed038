package io.dentrywatch.prometheus;

import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.oom.OomCgroupStats;
import io.dentrywatch.oom.OomKill;
import io.dentrywatch.oom.OomScope;
import io.dentrywatch.oom.OomStats;
import io.prometheus.metrics.model.registry.MetricNameFilter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OOM families as a scrape shows them: values, labels, the cap, absence, retention. */
class OomCollectorTest {

    private static final String NGINX = "{container=\"nginx\",namespace=\"shop\",node=\"node-a\",pod=\"web-0\"}";
    private static final String SIDECAR = "{container=\"sidecar\",namespace=\"shop\",node=\"node-a\",pod=\"web-0\"}";
    private static final String MARIADB = "{container=\"mariadb.service\",namespace=\"\",node=\"node-a\",pod=\"\"}";
    private static final String OTHER = "{container=\"_other\",namespace=\"\",node=\"node-a\",pod=\"\"}";

    private static Map<String, Double> scrape(OomCollector collector) {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        return Exposition.series(Exposition.text(registry.scrape()));
    }

    /** The series of oom_memory_usage_bytes of a container's, for one type: its label sorts after container. */
    private static String memory(String series, MemoryType type) {
        return series.replace("\",namespace=", "\",memory_type=\"" + type.label() + "\",namespace=");
    }

    @Test
    void killsAreSummedPerContainerAndTheLatestKillGivesItsMemoryAndTime() {
        Map<String, Double> series = scrape(OomSamples.collector());

        assertEquals(Map.of(NGINX, 3.0, SIDECAR, 1.0, MARIADB, 2.0, OTHER, 1.0),
                Exposition.family(series, "oom_kills_total"), "nginx: 2 in its cgroup and 1 in its old one");
        assertEquals(7.0, series.get("oom_kills_per_node_total{node=\"node-a\"}"));
        assertEquals(1.0, series.get("oom_lost_events_total{node=\"node-a\"}"));
        assertEquals(250.0 * (1 << 20), series.get("oom_memory_usage_bytes" + memory(NGINX, MemoryType.ANON_RSS)),
                "from the latest kill, in its current cgroup");
        assertEquals(600.0 * 1024, series.get("oom_memory_usage_bytes" + memory(NGINX, MemoryType.PGTABLES)));
        assertEquals(Samples.T0.minusSeconds(90).toEpochMilli() / 1e3, series.get("oom_last_timestamp" + NGINX), 1e-6);
        assertEquals(1.0, series.get("oom_watcher_degraded_info{node=\"node-a\",reason=\"" + OomSamples.DEGRADED + "\"}"));
    }

    @Test
    void onlyTheMemoryTypesTheKernelReportedAreExported() {
        Map<String, Double> series = scrape(OomSamples.collector());

        for (MemoryType type : MemoryType.values()) {
            assertEquals(type != MemoryType.PGTABLES, series.containsKey("oom_memory_usage_bytes" + memory(SIDECAR, type)),
                    type.label());
        }
        assertEquals(4 * 5 - 1, Exposition.family(series, "oom_memory_usage_bytes").size());
    }

    @Test
    void otherSumsTheContainersPastTheCapWithTheMemoryOfItsLatestKill() {
        Map<String, Double> series = scrape(OomSamples.collector());

        assertEquals(700.0 * (1 << 20), series.get("oom_memory_usage_bytes" + memory(OTHER, MemoryType.ANON_RSS)),
                "the login session's, its only member");
        assertEquals(Samples.T0.minusSeconds(10).toEpochMilli() / 1e3, series.get("oom_last_timestamp" + OTHER), 1e-6);
    }

    @Test
    void withoutKillsOnlyTheNodeCountersAreExportedAtZero() {
        Map<String, Double> series = scrape(OomCollector.builder(() -> new OomStats(0, 0, List.of())).node("n1").build());

        assertEquals(Map.of("oom_kills_per_node_total{node=\"n1\"}", 0.0, "oom_lost_events_total{node=\"n1\"}", 0.0),
                series);
    }

    @Test
    void aContainerNotKilledForTheRetentionDropsOut() {
        MutableClock clock = new MutableClock(Samples.T0);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(OomCollector.builder(OomSamples::golden).node("node-a").containerResolver(Samples.resolver())
                .seriesRetention(Duration.ofMinutes(5)).clock(clock).build());
        String session = "{container=\"" + Samples.SESSION_CGROUP + "\",namespace=\"\",node=\"node-a\",pod=\"\"}";

        // mariadb was last killed 10 minutes before T0: never shown
        assertEquals(Map.of(NGINX, 3.0, SIDECAR, 1.0, session, 1.0), kills(registry));
        clock.advance(Duration.ofMinutes(4)); // nginx's latest kill (T0 - 90 s) is now 5.5 minutes old
        assertEquals(Map.of(SIDECAR, 1.0, session, 1.0), kills(registry));
        assertEquals(7.0, Exposition.series(Exposition.text(registry.scrape())).get("oom_kills_per_node_total{node=\"node-a\"}"));
    }

    @Test
    void aCgroupsKillsStayWithTheContainerItWasResolvedToWhenKilled() {
        AtomicReference<String> name = new AtomicReference<>("api");
        OomKill kill = new OomKill(Samples.T0, 7, 7, "java", 9, "/kubepods/pod1/c9", OomScope.MEMORY_CGROUP,
                Map.of(MemoryType.ANON_RSS, 1L << 26), 0);
        OomStats stats = new OomStats(1, 0, List.of(new OomCgroupStats(9, kill.cgroupPath(), 1, kill)));
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(OomCollector.builder(() -> stats).node("n1").clock(new MutableClock(Samples.T0))
                .containerResolver((id, path) ->
                new ContainerIdentity("payments", "api-0", name.get(), "uid", "", "", ContainerIdentity.QosClass.BURSTABLE))
                .build());
        kills(registry);

        name.set("c9"); // the pod is deleted and forgotten: the resolver falls back to the container id

        assertEquals(Map.of("{container=\"api\",namespace=\"payments\",node=\"n1\",pod=\"api-0\"}", 1.0), kills(registry));
    }

    private static Map<String, Double> kills(PrometheusRegistry registry) {
        return Exposition.family(Exposition.series(Exposition.text(registry.scrape())), "oom_kills_total");
    }

    @Test
    void itRegistersBesideADentryCollectorAndAFilteredScrapeReturnsOnlyTheAskedFamily() {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(GoldenSample.FENTRY.collector());
        registry.register(OomSamples.collector());

        MetricSnapshots kills = registry.scrape(MetricNameFilter.builder().nameMustBeEqualTo("oom_kills_total").build());

        assertEquals(1, kills.size());
        assertEquals(4, kills.get(0).getDataPoints().size());
        assertThrows(IllegalArgumentException.class, () -> registry.register(OomSamples.collector()), "names clash");
    }

    @Test
    void theBuilderWantsANode() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OomCollector.builder(OomSamples::golden).build());

        assertTrue(e.getMessage().startsWith("node is not set"), e.getMessage());
    }
}
