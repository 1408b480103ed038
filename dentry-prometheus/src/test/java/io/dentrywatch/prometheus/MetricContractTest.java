package io.dentrywatch.prometheus;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The families, their declared descriptors, and which ones a mode can feed. */
class MetricContractTest {

    private final MutableClock clock = new MutableClock(Samples.T0);

    @Test
    void everyEmittedFamilyIsDeclaredWithItsTypeAndLabelNames() {
        Map<String, MetricFamilyDescriptor> declared = Families.EMITTED.stream()
                .collect(Collectors.toMap(MetricFamilyDescriptor::getPrometheusName, Function.identity()));
        MetricSnapshots snapshots = GoldenExpositionTest.scrapeGoldenSample();

        assertEquals(12, snapshots.size()); // all but dentry_positive_total and dentry_negative_total
        for (MetricSnapshot snapshot : snapshots) {
            String name = snapshot.getMetadata().getPrometheusName();
            MetricFamilyDescriptor descriptor = declared.get(name);
            assertTrue(descriptor != null, name + " is emitted but not declared");
            assertEquals(descriptor.getType(), typeOf(snapshot), name);
            assertEquals(descriptor.getMetadata().getHelp(), snapshot.getMetadata().getHelp(), name);
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                Set<String> labelNames = point.getLabels().stream().map(Label::getName).collect(Collectors.toSet());
                assertEquals(descriptor.getLabelNames(), labelNames, name);
            }
        }
    }

    @Test
    void aSecondCollectorInTheSameRegistryIsRejected() {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(DentryCollector.builder(Samples::golden).build());

        assertThrows(IllegalArgumentException.class, () -> registry.register(DentryCollector.builder(Samples::golden).build()));
    }

    @Test
    void aFilteredScrapeReturnsOnlyTheAskedFamily() {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(DentryCollector.builder(Samples::golden).clock(clock).build());

        MetricSnapshots snapshots = registry.scrape(name -> name.equals("node_dentry_count"));

        assertEquals(1, snapshots.size());
        assertEquals(3, snapshots.get(0).getDataPoints().size());
    }

    @Test
    void nodeOnlyModeLeavesPerContainerFamiliesAbsentAndSaysSo() {
        DentrySample nodeOnly = new DentrySample(Samples.T0,
                new SamplerInfo(AttachMode.NONE, "5.4.0-150-generic", "v1", "0.1.0", List.of()),
                Set.of(), new NodeDentryState(10, 5, OptionalLong.empty()), List.of(), 0, Duration.ofMillis(1));
        DentryCollector collector = DentryCollector.builder(() -> nodeOnly).clock(clock).build();

        Map<String, Double> series = Exposition.scrape(collector);

        assertTrue(Exposition.family(series, "dentry_alloc_total").isEmpty());
        assertTrue(Exposition.family(series, "dentry_monitor_degraded_info").isEmpty());
        assertEquals(Map.of("{type=\"total\"}", 10.0, "{type=\"unused\"}", 5.0), Exposition.family(series, "node_dentry_count"));
        assertEquals(Map.of(
                "{family=\"dentry_alloc_total\"}", 0.0,
                "{family=\"dentry_negative_total\"}", 0.0,
                "{family=\"dentry_positive_total\"}", 0.0), Exposition.family(series, "dentry_monitor_family_available"));
        assertEquals(1.0, series.get("dentry_monitor_info{cgroup_mode=\"v1\",kernel=\"5.4.0-150-generic\",mode=\"none\",version=\"0.1.0\"}"));
    }

    @Test
    void familiesTheCoreCannotFeedYetAreAbsentNotZero() {
        Map<String, Double> series = Exposition.scrape(DentryCollector.builder(Samples::golden).clock(clock).build());

        assertFalse(series.keySet().stream().anyMatch(name -> name.startsWith("dentry_positive_total")));
        assertFalse(series.keySet().stream().anyMatch(name -> name.startsWith("dentry_negative_total")));
        assertEquals(1.0, series.get("dentry_monitor_family_available{family=\"dentry_alloc_total\"}"));
    }

    @Test
    void withoutAResolverEveryCgroupIsItsOwnNonPodContainer() {
        Map<String, Double> alloc = Exposition.family(
                Exposition.scrape(DentryCollector.builder(Samples::golden).clock(clock).build()), "dentry_alloc_total");

        assertEquals(5, alloc.size());
        assertEquals(9001.0, alloc.get("{container=\"/system.slice/mariadb.service\",namespace=\"\",pod=\"\"}"));
    }

    @Test
    void builderRejectsNegativeSettings() {
        DentryCollector.Builder builder = DentryCollector.builder(Samples::golden);

        assertThrows(IllegalArgumentException.class, () -> builder.maxContainerSeries(-1));
        assertThrows(IllegalArgumentException.class, () -> builder.minReadInterval(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> builder.deletedSeriesGrace(Duration.ofSeconds(-1)));
    }

    private static MetricType typeOf(MetricSnapshot snapshot) {
        return switch (snapshot) {
            case CounterSnapshot counter -> MetricType.COUNTER;
            case GaugeSnapshot gauge -> MetricType.GAUGE;
            case InfoSnapshot info -> MetricType.INFO;
            default -> throw new AssertionError("unexpected snapshot type " + snapshot.getClass());
        };
    }
}
