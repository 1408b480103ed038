package io.dentrywatch.prometheus;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders and reads back the text formats, the way a Prometheus server would see a scrape;
 * dentry-micrometer's tests use it too.
 */
public final class Exposition {

    /**
     * @param snapshots what a registry scraped
     * @return the Prometheus text format
     */
    public static String text(MetricSnapshots snapshots) {
        return write(PrometheusTextFormatWriter.create(), snapshots);
    }

    /**
     * @param snapshots what a registry scraped
     * @return the OpenMetrics text format
     */
    public static String openMetrics(MetricSnapshots snapshots) {
        return write(OpenMetricsTextFormatWriter.create(), snapshots);
    }

    /** Scrapes a collector through a registry, as an HTTP exporter would. */
    static Map<String, Double> scrape(DentryCollector collector) {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        return series(text(registry.scrape()));
    }

    /**
     * Every sample line of a text exposition.
     *
     * @param exposition Prometheus text format
     * @return {@code name{labels}} to value, sorted
     */
    public static Map<String, Double> series(String exposition) {
        Map<String, Double> series = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return series;
    }

    /** The series of one family name: the text between the braces to value. */
    static Map<String, Double> family(Map<String, Double> series, String name) {
        Map<String, Double> family = new TreeMap<>();
        series.forEach((key, value) -> {
            if (key.equals(name) || key.startsWith(name + "{")) {
                family.put(key.substring(name.length()), value);
            }
        });
        return family;
    }

    private static String write(ExpositionFormatWriter writer, MetricSnapshots snapshots) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private Exposition() {
    }
}
