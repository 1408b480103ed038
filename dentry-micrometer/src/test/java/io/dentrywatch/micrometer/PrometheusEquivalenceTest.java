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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rendered through Micrometer's Prometheus registry, the binder's meters are dentry-prometheus's
 * families: the same names, labels, HELP, types and values, line for line, in every golden sample.
 */
class PrometheusEquivalenceTest {

    @ParameterizedTest
    @EnumSource(GoldenSample.class)
    void textFormatIsTheSameAsDentryPrometheus(GoldenSample golden) {
        PrometheusMeterRegistry micrometer = boundRegistry(golden);

        assertEquals(Exposition.text(reference(golden)), micrometer.scrape());
    }

    /** Micrometer writes no OpenMetrics {@code # UNIT} lines; everything else is the same. */
    @ParameterizedTest
    @EnumSource(GoldenSample.class)
    void openMetricsIsTheSameAsDentryPrometheusButForUnitLines(GoldenSample golden) {
        PrometheusMeterRegistry micrometer = boundRegistry(golden);
        String reference = Exposition.openMetrics(reference(golden));

        assertEquals(List.of(
                "# UNIT dentry_monitor_sample_duration_seconds seconds",
                "# UNIT dentry_monitor_sample_timestamp_seconds seconds"),
                reference.lines().filter(line -> line.startsWith("# UNIT ")).toList());
        assertEquals(reference.replaceAll("(?m)^# UNIT .*\n", ""),
                micrometer.scrape(OpenMetricsTextFormatWriter.CONTENT_TYPE));
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
}
