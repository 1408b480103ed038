package io.dentrywatch.micrometer;

import io.dentrywatch.prometheus.Exposition;
import io.dentrywatch.prometheus.GoldenSample;
import io.dentrywatch.prometheus.MutableClock;
import io.dentrywatch.prometheus.Samples;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Rendered through Micrometer's Prometheus registry, the binder's meters are dentry-prometheus's
 * families: the same names, labels, HELP, types and values, line for line, in every golden sample — but
 * for the reclaim duration histogram, which Micrometer cannot take pre-bucketed. Of that family,
 * Micrometer writes the {@code _count} and {@code _sum} lines the same, typed summary instead of
 * histogram, and the buckets as a counter family of its own with the same counts by upper bound.
 */
class PrometheusEquivalenceTest {

    private static final String HISTOGRAM = "node_dentry_reclaim_duration_seconds";
    private static final String BUCKET_COUNTERS = "node_dentry_reclaim_duration_buckets_total";

    @ParameterizedTest
    @EnumSource(GoldenSample.class)
    void textFormatIsTheSameAsDentryPrometheus(GoldenSample golden) {
        String micrometer = boundRegistry(golden).scrape();
        String reference = Exposition.text(reference(golden));

        assertEquals(histogramTypedAsSummary(reference), withoutBucketCounters(micrometer));
    }

    /** Micrometer writes no OpenMetrics {@code # UNIT} lines; everything else is as in the text format. */
    @ParameterizedTest
    @EnumSource(GoldenSample.class)
    void openMetricsIsTheSameAsDentryPrometheusButForUnitLines(GoldenSample golden) {
        String micrometer = boundRegistry(golden).scrape(OpenMetricsTextFormatWriter.CONTENT_TYPE);
        String reference = Exposition.openMetrics(reference(golden));

        assertEquals(List.of(
                "# UNIT dentry_monitor_sample_duration_seconds seconds",
                "# UNIT dentry_monitor_sample_timestamp_seconds seconds",
                "# UNIT " + HISTOGRAM + " seconds"),
                reference.lines().filter(line -> line.startsWith("# UNIT ")).toList());
        assertEquals(histogramTypedAsSummary(reference.replaceAll("(?m)^# UNIT .*\n", "")),
                withoutBucketCounters(micrometer));
    }

    /** The histogram's buckets are Micrometer's bucket counters, count for count, {@code upper_bound} for {@code le}. */
    @ParameterizedTest
    @EnumSource(GoldenSample.class)
    void theBucketCountersHoldTheHistogramsBuckets(GoldenSample golden) {
        Map<String, Double> micrometer = Exposition.series(boundRegistry(golden).scrape());
        Map<String, Double> reference = Exposition.series(Exposition.text(reference(golden)));
        Map<String, Double> buckets = new TreeMap<>();
        reference.forEach((series, count) -> {
            if (series.startsWith(HISTOGRAM + "_bucket{le=")) {
                buckets.put(series.replace(HISTOGRAM + "_bucket{le=", BUCKET_COUNTERS + "{upper_bound="), count);
            }
        });
        Map<String, Double> counters = new TreeMap<>(micrometer);
        counters.keySet().removeIf(series -> !series.startsWith(BUCKET_COUNTERS + "{"));

        assertEquals(14, buckets.size());
        assertEquals(buckets, counters);
        for (String line : List.of("_count", "_sum")) {
            assertEquals(reference.get(HISTOGRAM + line), micrometer.get(HISTOGRAM + line), line);
        }
        assertFalse(micrometer.keySet().stream().anyMatch(series -> series.startsWith(HISTOGRAM + "_bucket")));
    }

    /** A golden sample with a cap of 3, bound to a fresh Micrometer Prometheus registry, as {@link GoldenSample#collector()}. */
    static PrometheusMeterRegistry boundRegistry(GoldenSample golden) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DentryMetrics.builder(golden::sample)
                .containerResolver(Samples.resolver())
                .maxContainerSeries(3)
                .clock(new MutableClock(Samples.T0))
                .build()
                .bindTo(registry);
        return registry;
    }

    private static MetricSnapshots reference(GoldenSample golden) {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(golden.collector());
        return registry.scrape();
    }

    /** The reference without the histogram's bucket lines, typed summary as Micrometer's function timer is. */
    private static String histogramTypedAsSummary(String reference) {
        String withoutBuckets = reference.replaceAll("(?m)^" + HISTOGRAM + "_bucket\\{.*\n", "");
        String type = "# TYPE " + HISTOGRAM + " ";
        assertEquals(1, withoutBuckets.split(type + "histogram\n", -1).length - 1, "one histogram TYPE line");
        return withoutBuckets.replace(type + "histogram\n", type + "summary\n");
    }

    /** Micrometer's scrape without the bucket counters' family: HELP, TYPE and samples. */
    private static String withoutBucketCounters(String micrometer) {
        String family = BUCKET_COUNTERS.substring(0, BUCKET_COUNTERS.length() - "_total".length());
        return micrometer.replaceAll("(?m)^(# (HELP|TYPE) )?" + family + "(_total)?[ {].*\n", "");
    }
}
