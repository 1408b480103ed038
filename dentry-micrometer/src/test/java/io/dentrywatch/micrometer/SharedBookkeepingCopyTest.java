package io.dentrywatch.micrometer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The series bookkeeping exists twice, in this module and in dentry-prometheus (adapters do not
 * depend on each other): the copies must not drift apart, or the two modules would count differently.
 */
class SharedBookkeepingCopyTest {

    private static final Path PROMETHEUS = Path.of("..", "dentry-prometheus", "src", "main", "java", "io", "dentrywatch", "prometheus");
    private static final Path MICROMETER = Path.of("src", "main", "java", "io", "dentrywatch", "micrometer");

    @ParameterizedTest
    @ValueSource(strings = {"ContainerSeries", "ContainerSeriesBook", "Reading", "SeriesLabels", "ThrottledSampler"})
    void isTheSameAsDentryPrometheusButForThePackage(String className) throws IOException {
        String prometheus = Files.readString(PROMETHEUS.resolve(className + ".java"));
        String micrometer = Files.readString(MICROMETER.resolve(className + ".java"));

        assertEquals(prometheus.replace("package io.dentrywatch.prometheus;", "package io.dentrywatch.micrometer;"), micrometer);
    }
}
