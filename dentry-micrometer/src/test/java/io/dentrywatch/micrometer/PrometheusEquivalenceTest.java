package io.dentrywatch.micrometer;

import io.dentrywatch.prometheus.DentryCollector;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rendered through Micrometer's Prometheus registry, the binder's meters are dentry-prometheus's
 * families: the same names, labels, HELP, types and values, line for line.
 */
class PrometheusEquivalenceTest {

    @Test
    void textFormatIsTheSameAsDentryPrometheus() throws IOException {
        PrometheusMeterRegistry micrometer = boundRegistry();

        assertEquals(render(PrometheusTextFormatWriter.create()), micrometer.scrape());
    }

    /** Micrometer writes no OpenMetrics {@code # UNIT} lines; everything else is the same. */
    @Test
    void openMetricsIsTheSameAsDentryPrometheusButForUnitLines() throws IOException {
        PrometheusMeterRegistry micrometer = boundRegistry();
        String reference = render(OpenMetricsTextFormatWriter.create());

        assertEquals(List.of(
                "# UNIT dentry_monitor_sample_duration_seconds seconds",
                "# UNIT dentry_monitor_sample_timestamp_seconds seconds"),
                reference.lines().filter(line -> line.startsWith("# UNIT ")).toList());
        assertEquals(reference.replaceAll("(?m)^# UNIT .*\n", ""),
                micrometer.scrape(OpenMetricsTextFormatWriter.CONTENT_TYPE));
    }

    /** The golden sample with a cap of 3, bound to a fresh Micrometer Prometheus registry. */
    static PrometheusMeterRegistry boundRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DentryMetrics.builder(Samples::golden)
                .containerResolver(Samples.resolver())
                .maxContainerSeries(3)
                .clock(new MutableClock(Samples.T0))
                .build()
                .bindTo(registry);
        return registry;
    }

    private static String render(ExpositionFormatWriter writer) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(DentryCollector.builder(Samples::golden)
                .containerResolver(Samples.resolver())
                .maxContainerSeries(3)
                .build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toString(StandardCharsets.UTF_8);
    }
}
