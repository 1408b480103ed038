package io.dentrywatch.exporter;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's {@code deploy/} directory, which Maven passes as {@code dentrywatch.deploy.dir}. */
final class DeployFiles {

    private DeployFiles() {
    }

    static Path dir() {
        String configured = System.getProperty("dentrywatch.deploy.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("../../deploy");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("deploy directory not found at " + dir.toAbsolutePath()
                    + "; run the tests through Maven, which sets dentrywatch.deploy.dir");
        }
        return dir.toAbsolutePath().normalize();
    }

    static Path rules() {
        return dir().resolve("prometheus/dentrywatch-rules.yaml");
    }

    static Path rulesTests() {
        return dir().resolve("prometheus/dentrywatch-rules.test.yaml");
    }

    static Path prometheusRule() {
        return dir().resolve("kubernetes/prometheusrule.yaml");
    }

    static Path dashboard() {
        return dir().resolve("grafana/dentrywatch-dashboard.json");
    }

    static Path kubernetes(String file) {
        return dir().resolve("kubernetes").resolve(file);
    }

    static Path dockerfile() {
        return dir().resolve("Dockerfile");
    }

    /** The quick start's {@code scripts/run-exporter.sh}, beside {@code deploy/}. */
    static Path runExporterScript() {
        return dir().resolveSibling("scripts/run-exporter.sh");
    }
}
