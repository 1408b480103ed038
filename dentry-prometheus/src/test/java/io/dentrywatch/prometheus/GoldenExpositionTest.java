package io.dentrywatch.prometheus;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The exposition of the golden samples and of the golden OOM counts, byte for byte, in both text formats. On a mismatch the
 * actual output is left in {@code target/golden-actual/} to review and copy over.
 */
class GoldenExpositionTest {

    @ParameterizedTest
    @EnumSource(GoldenSample.class)
    void textFormatMatchesGoldenFile(GoldenSample golden) throws IOException {
        assertGolden(golden.resource(".prom"), Exposition.text(scrape(golden)));
    }

    @ParameterizedTest
    @EnumSource(GoldenSample.class)
    void openMetricsMatchesGoldenFile(GoldenSample golden) throws IOException {
        assertGolden(golden.resource(".openmetrics.txt"), Exposition.openMetrics(scrape(golden)));
    }

    @Test
    void theOomFamiliesMatchTheirGoldenFilesInBothFormats() throws IOException {
        assertGolden("golden/oom.prom", Exposition.text(scrapeOom()));
        assertGolden("golden/oom.openmetrics.txt", Exposition.openMetrics(scrapeOom()));
    }

    /** The golden OOM counts through {@link OomSamples#collector()}: the login session lands in _other. */
    static MetricSnapshots scrapeOom() {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(OomSamples.collector());
        return registry.scrape();
    }

    /** A golden sample with a cap of 3: the login session (the smallest) lands in _other. */
    static MetricSnapshots scrape(GoldenSample golden) {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(golden.collector());
        return registry.scrape();
    }

    private static void assertGolden(String resource, String actual) throws IOException {
        String expected;
        try (InputStream in = GoldenExpositionTest.class.getClassLoader().getResourceAsStream(resource)) {
            expected = in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!actual.equals(expected)) {
            Path out = Path.of("target", "golden-actual", resource);
            Files.createDirectories(out.getParent());
            Files.writeString(out, actual);
        }
        assertNotNull(expected, "missing golden file " + resource + "; the actual output is in target/golden-actual/");
        assertEquals(expected, actual, resource + " differs; the actual output is in target/golden-actual/");
    }
}
