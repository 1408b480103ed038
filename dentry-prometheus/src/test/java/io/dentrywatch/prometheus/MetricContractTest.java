package io.dentrywatch.prometheus;

import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.export.AdapterBuilder;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The families, their declared descriptors, and which ones a mode can feed. */
class MetricContractTest {

    private static final String NGINX = "{container=\"nginx\",namespace=\"shop\",pod=\"web-0\"}";
    private static final String SIDECAR = "{container=\"sidecar\",namespace=\"shop\",pod=\"web-0\"}";
    private static final String MARIADB = "{container=\"mariadb.service\",namespace=\"\",pod=\"\"}";
    private static final String SESSION = "{container=\"" + Samples.SESSION_CGROUP + "\",namespace=\"\",pod=\"\"}";

    /** The families dentry_monitor_family_available reports on. */
    private static final List<String> MEASURABLE = List.of("dentry_alloc_total", "dentry_positive_total",
            "dentry_negative_total", "dentry_negative_lookup_total", "dentry_negative_unlink_total", "dentry_reclaimed_total",
            "dentry_resident", "dentry_negative_resident", "node_dentry_freed_total", "node_dentry_reclaim_total", "node_dentry_reclaim_scanned_objects_total",
            "node_dentry_reclaimed_objects_total", "node_dentry_reclaim_duration_seconds", "node_dentry_prune_dcache_sb_total",
            "node_dentry_shrink_dcache_sb_total");
    private static final List<String> RECLAIM_FAMILIES = List.of("dentry_reclaimed_total", "node_dentry_reclaim_total",
            "node_dentry_reclaim_scanned_objects_total", "node_dentry_reclaimed_objects_total",
            "node_dentry_reclaim_duration_seconds", "node_dentry_prune_dcache_sb_total", "node_dentry_shrink_dcache_sb_total");

    private final MutableClock clock = new MutableClock(Samples.T0);

    @Test
    void everyEmittedFamilyIsDeclaredWithItsTypeAndLabelNames() {
        int declared = Families.SAMPLER.size();
        MetricSnapshots fentry = GoldenExpositionTest.scrape(GoldenSample.FENTRY);
        MetricSnapshots tracepoint = GoldenExpositionTest.scrape(GoldenSample.TRACEPOINT);

        // all but dentry_monitor_degraded_info (nothing is degraded) and the opt-in dentry_negative_sources_total
        assertEquals(declared - 2, fentry.size());
        // no positive, negative, negative_lookup, negative_unlink, negative_resident, prune_dcache_sb,
        // shrink_dcache_sb, nor the opt-in negative sources
        assertEquals(declared - 8, tracepoint.size());
        PrometheusRegistry withSources = new PrometheusRegistry();
        withSources.register(DentryCollector.builder(NegativeSourcesExpositionTest::goldenWithSources)
                .containerResolver(Samples.byPath()).build());
        List<MetricSnapshot> all = new java.util.ArrayList<>(concat(fentry, tracepoint));
        withSources.scrape().stream().filter(s -> s.getMetadata().getPrometheusName().contains("negative_sources"))
                .forEach(all::add);
        assertEmittedAsDeclared(Families.SAMPLER, all);
    }

    @Test
    void everyOomFamilyIsDeclaredWithItsTypeAndLabelNamesAndEmittedForTheGoldenCounts() {
        assertEmittedAsDeclared(Families.OOM, GoldenExpositionTest.scrapeOom().stream().toList());
    }

    /** Each snapshot is of a declared family, with its type, HELP and label names; each declared family is among them. */
    private static void assertEmittedAsDeclared(List<MetricFamilyDescriptor> descriptors, List<MetricSnapshot> snapshots) {
        Map<String, MetricFamilyDescriptor> declared = descriptors.stream()
                .collect(Collectors.toMap(MetricFamilyDescriptor::getPrometheusName, Function.identity()));
        Set<String> emitted = new HashSet<>();
        for (MetricSnapshot snapshot : snapshots) {
            String name = snapshot.getMetadata().getPrometheusName();
            emitted.add(name);
            MetricFamilyDescriptor descriptor = declared.get(name);
            assertTrue(descriptor != null, name + " is emitted but not declared");
            assertEquals(descriptor.getType(), typeOf(snapshot), name);
            assertEquals(descriptor.getMetadata().getHelp(), snapshot.getMetadata().getHelp(), name);
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                Set<String> labelNames = point.getLabels().stream().map(Label::getName).collect(Collectors.toSet());
                assertEquals(descriptor.getLabelNames(), labelNames, name);
            }
        }
        assertEquals(declared.keySet(), emitted, "every declared family is emitted by one of the golden samples");
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
    void nodeOnlyModeLeavesPerContainerFamiliesAndFreesAbsentAndSaysSo() {
        Map<String, Double> series = scrape(() -> Samples.nodeOnly(List.of()));

        assertTrue(Exposition.family(series, "dentry_alloc_total").isEmpty());
        assertTrue(Exposition.family(series, "node_dentry_freed_total").isEmpty());
        assertTrue(Exposition.family(series, "dentry_monitor_degraded_info").isEmpty());
        assertEquals(Map.of("{type=\"total\"}", 10.0, "{type=\"unused\"}", 5.0), Exposition.family(series, "node_dentry_count"));
        for (String family : MEASURABLE) {
            assertTrue(Exposition.family(series, family).isEmpty(), family);
        }
        assertEquals(available(), Exposition.family(series, "dentry_monitor_family_available"));
        assertEquals(1.0, series.get("dentry_monitor_info{cgroup_mode=\"v1\",kernel=\"5.4.0-150-generic\",mode=\"none\",version=\"0.1.0\"}"));
    }

    @Test
    void inTracepointModePositiveNegativeAndTheDcacheCallsAreAbsentNotZeroWhileFreesAndReclaimAreExported() {
        Map<String, Double> series = scrape(Samples::goldenTracepoint);

        for (String absent : List.of("dentry_positive_total", "dentry_negative_total", "dentry_negative_lookup_total",
                "dentry_negative_unlink_total")) {
            assertFalse(series.keySet().stream().anyMatch(name -> name.startsWith(absent)), absent);
            assertEquals(0.0, series.get("dentry_monitor_family_available{family=\"" + absent + "\"}"), absent);
        }
        assertEquals(available("dentry_alloc_total", "dentry_reclaimed_total", "dentry_resident", "node_dentry_freed_total",
                "node_dentry_reclaim_total", "node_dentry_reclaim_scanned_objects_total", "node_dentry_reclaimed_objects_total",
                "node_dentry_reclaim_duration_seconds"), Exposition.family(series, "dentry_monitor_family_available"));
        assertEquals(14_000.0, series.get("node_dentry_freed_total"));
        assertEquals(1234.0, series.get("node_dentry_reclaim_total"));
        assertEquals(1234.0, series.get("node_dentry_reclaim_duration_seconds_count"));
        assertEquals(60_000.0, series.get("dentry_reclaimed_total" + NGINX));
        // what each container holds is by owner, which the slab tracepoints see too; negative-resident is not
        assertEquals(3250.0, series.get("dentry_resident" + NGINX), "nginx's two cgroups: 3,200 + 50");
        assertEquals(0.0, series.get("dentry_resident" + SESSION), "a cgroup that freed more than it made holds 0");
        assertTrue(Exposition.family(series, "dentry_negative_resident").isEmpty());
        for (String absent : List.of("node_dentry_prune_dcache_sb_total", "node_dentry_shrink_dcache_sb_total")) {
            assertTrue(Exposition.family(series, absent).isEmpty(), absent + ": no tracepoint for it, absent not zero");
        }
    }

    @Test
    void inFentryModeReclaimIsExportedNodeWideAndPerContainer() {
        Map<String, Double> series = scrape(Samples::golden);

        assertEquals(1234.0, series.get("node_dentry_reclaim_total"));
        assertEquals(5_000_000.0, series.get("node_dentry_reclaim_scanned_objects_total"));
        assertEquals(1_250_000.0, series.get("node_dentry_reclaimed_objects_total"));
        assertEquals(1234.0, series.get("node_dentry_prune_dcache_sb_total"));
        assertEquals(7.0, series.get("node_dentry_shrink_dcache_sb_total"));
        // nginx is two cgroups: 52,000 + 8,000
        assertEquals(Map.of(NGINX, 60_000.0, SIDECAR, 300.0, MARIADB, 150_000.0, SESSION, 25.0),
                Exposition.family(series, "dentry_reclaimed_total"));
        assertEquals(available(MEASURABLE.toArray(String[]::new)), Exposition.family(series, "dentry_monitor_family_available"));
    }

    @Test
    void theReclaimDurationHistogramIsCumulativeAndItsCountIsTheRunCount() {
        Map<String, Double> series = scrape(Samples::golden);
        Map<Double, Double> buckets = new TreeMap<>();
        Exposition.family(series, "node_dentry_reclaim_duration_seconds_bucket").forEach((labels, count) ->
                buckets.put(Double.parseDouble(labels.replaceAll("\\{le=\"(.*)\"}", "$1").replace("+Inf", "Infinity")), count));

        assertEquals(14, buckets.size());
        assertEquals(1.024e-6, buckets.keySet().iterator().next(), 1e-15);
        assertEquals(50.0, buckets.get(1.024e-6), "the runs below 1.024 us, from two of the core's buckets");
        assertEquals(250.0, buckets.get(4.096e-6));
        assertEquals(1230.0, buckets.get(17.179869184));
        assertEquals(1234.0, buckets.get(Double.POSITIVE_INFINITY), "the 4 runs over 34 s are only in +Inf");
        double previous = 0;
        for (double count : buckets.values()) {
            assertTrue(count >= previous, "cumulative: " + buckets);
            previous = count;
        }
        assertEquals(series.get("node_dentry_reclaim_total"), series.get("node_dentry_reclaim_duration_seconds_count"));
        assertEquals(193.335432, series.get("node_dentry_reclaim_duration_seconds_sum"), 1e-9);
    }

    @Test
    void reclaimFamiliesAreAbsentWhenReclaimIsNotMeasuredAndPerContainerOnlyWhenItsMemoryCgroupIsKnown() {
        Map<String, Double> noReclaim = scrape(() -> Samples.measuring(Samples.golden(), EnumSet.of(DentryCounter.ALLOC,
                DentryCounter.POSITIVE, DentryCounter.NEGATIVE_LOOKUP, DentryCounter.NEGATIVE_UNLINK, DentryCounter.FREED)));
        // counting by v2 cgroup on a hybrid host: reclaim is node-wide only
        Map<String, Double> noReclaimed = scrape(() -> Samples.measuring(Samples.golden(),
                EnumSet.complementOf(EnumSet.of(DentryCounter.RECLAIMED))));

        for (String family : RECLAIM_FAMILIES) {
            assertTrue(Exposition.family(noReclaim, family).isEmpty(), family);
            assertTrue(Exposition.family(noReclaim, family + "_bucket").isEmpty(), family);
            assertEquals(0.0, noReclaim.get("dentry_monitor_family_available{family=\"" + family + "\"}"), family);
        }
        assertTrue(Exposition.family(noReclaimed, "dentry_reclaimed_total").isEmpty());
        assertEquals(0.0, noReclaimed.get("dentry_monitor_family_available{family=\"dentry_reclaimed_total\"}"));
        assertEquals(1234.0, noReclaimed.get("node_dentry_reclaim_total"));
        assertEquals(1234.0, noReclaimed.get("node_dentry_reclaim_duration_seconds_bucket{le=\"+Inf\"}"));
    }

    @Test
    void inFentryModeNegativeIsLookupPlusUnlinkPerContainer() {
        Map<String, Double> series = scrape(Samples::golden);

        assertEquals(3500.0, series.get("dentry_positive_total" + NGINX)); // cgroups 101 and 102
        assertEquals(1700.0, series.get("dentry_negative_lookup_total" + NGINX));
        assertEquals(310.0, series.get("dentry_negative_unlink_total" + NGINX));
        assertEquals(2010.0, series.get("dentry_negative_total" + NGINX));
        for (String container : Exposition.family(series, "dentry_negative_total").keySet()) {
            assertEquals(series.get("dentry_negative_total" + container),
                    series.get("dentry_negative_lookup_total" + container) + series.get("dentry_negative_unlink_total" + container),
                    container);
        }
    }

    @Test
    void negativeIsAbsentWhenOnlyOneOfItsCausesIsMeasured() {
        Map<String, Double> series = scrape(() -> Samples.measuring(Samples.golden(),
                EnumSet.of(DentryCounter.ALLOC, DentryCounter.POSITIVE, DentryCounter.NEGATIVE_LOOKUP)));

        assertTrue(Exposition.family(series, "dentry_negative_total").isEmpty());
        assertTrue(Exposition.family(series, "dentry_negative_unlink_total").isEmpty());
        assertTrue(Exposition.family(series, "node_dentry_freed_total").isEmpty());
        assertEquals(1700.0, series.get("dentry_negative_lookup_total" + NGINX));
        assertEquals(available("dentry_alloc_total", "dentry_negative_lookup_total", "dentry_positive_total"),
                Exposition.family(series, "dentry_monitor_family_available"));
    }

    @Test
    void theCgroupKeyHasItsOwnInfoFamilyAndMonitorInfoKeepsItsFourLabels() {
        Map<String, Double> tracepoint = scrape(Samples::goldenTracepoint);
        Map<String, Double> fentry = scrape(Samples::golden);

        assertEquals(Map.of("{key=\"memory\"}", 1.0), Exposition.family(tracepoint, "dentry_monitor_cgroup_key_info"));
        assertEquals(Map.of("{key=\"v2\"}", 1.0), Exposition.family(fentry, "dentry_monitor_cgroup_key_info"));
        assertEquals(Map.of("{cgroup_mode=\"hybrid\",kernel=\"6.18.0-fc\",mode=\"tracepoint\",version=\"0.1.0\"}", 1.0),
                Exposition.family(tracepoint, "dentry_monitor_info"));
    }

    @Test
    void withoutAResolverTheIdentityComesFromTheCgroupPath() {
        Map<String, Double> alloc = Exposition.family(
                Exposition.scrape(DentryCollector.builder(Samples::golden).clock(clock).build()), "dentry_alloc_total");

        assertEquals(5, alloc.size()); // the restarted nginx's two cgroups are two containers without the API's names
        assertEquals(9001.0, alloc.get("{container=\"mariadb.service\",namespace=\"\",pod=\"\"}"));
        assertEquals(12.0, alloc.get("{container=\"session-3.scope\",namespace=\"\",pod=\"\"}"));
        // a pod is labelled by its UID; these test ids are not 64 hex digits, so the scope's name stands in for the id
        assertEquals(5000.0, alloc.get(
                "{container=\"cri-containerd-aaa.scope\",namespace=\"\",pod=\"6f1c2d3e-0000-4000-8000-000000000001\"}"));
    }

    @Test
    void beforeAnyGoodReadOnlyTheMonitorsOwnCountsAreExported() {
        Map<String, Double> series = scrape(() -> {
            throw new IllegalStateException("sampler closed");
        });

        assertEquals(Map.of(
                "dentry_monitor_containers{series=\"other\"}", 0.0,
                "dentry_monitor_containers{series=\"own\"}", 0.0,
                "dentry_monitor_read_errors_total", 1.0,
                "dentry_monitor_reads_total", 1.0), series);
    }

    @Test
    void builderRejectsNegativeSettings() {
        AdapterBuilder<DentryCollector> builder = DentryCollector.builder(Samples::golden);

        assertThrows(IllegalArgumentException.class, () -> builder.maxContainerSeries(-1));
        assertThrows(IllegalArgumentException.class, () -> builder.minReadInterval(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> builder.deletedSeriesGrace(Duration.ofSeconds(-1)));
    }

    /** Scrapes a collector over {@code source} with the golden samples' resolver. */
    private Map<String, Double> scrape(Supplier<DentrySample> source) {
        return Exposition.scrape(DentryCollector.builder(source).containerResolver(Samples.resolver()).clock(clock).build());
    }

    /** dentry_monitor_family_available as a scrape shows it: 1 for the families given, 0 for the others. */
    private static Map<String, Double> available(String... measured) {
        Set<String> one = Set.of(measured);
        Map<String, Double> available = new TreeMap<>();
        for (String family : MEASURABLE) {
            available.put("{family=\"" + family + "\"}", one.contains(family) ? 1.0 : 0.0);
        }
        return available;
    }

    private static List<MetricSnapshot> concat(MetricSnapshots first, MetricSnapshots second) {
        List<MetricSnapshot> all = new ArrayList<>(first.stream().toList());
        all.addAll(second.stream().toList());
        return all;
    }

    private static MetricType typeOf(MetricSnapshot snapshot) {
        return switch (snapshot) {
            case CounterSnapshot counter -> MetricType.COUNTER;
            case GaugeSnapshot gauge -> MetricType.GAUGE;
            case InfoSnapshot info -> MetricType.INFO;
            case HistogramSnapshot histogram -> MetricType.HISTOGRAM;
            default -> throw new AssertionError("unexpected snapshot type " + snapshot.getClass());
        };
    }
}
