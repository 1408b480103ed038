package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's package) on a free loopback port, scraping the exporter every second and
 * evaluating the alert rules every second, with its storage in a temp directory. Like the ServiceMonitor,
 * it keeps the labels the exporter sets ({@code honor_labels}) and adds {@code node} to the series without one.
 */
final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final String base;

    private PrometheusServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.base = "http://127.0.0.1:" + port;
    }

    static PrometheusServer start(Path binary, int exporterPort, String node, Path rules) throws IOException {
        Path dir = Files.createTempDirectory("dentrywatch-prometheus-");
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: dentrywatch
                    honor_labels: true
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels:
                          node: '%s'
                """.formatted(rules, exporterPort, node));
        int port = ExporterProcess.freePort();
        Process process = new ProcessBuilder(binary.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        return new PrometheusServer(process, dir, port);
    }

    void awaitReady(Duration deadline) throws InterruptedException, IOException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                if (Http.get(base + "/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("prometheus was not ready within " + deadline + ": " + Files.readString(dir.resolve("prometheus.log")));
    }

    /** An instant query now; the whole response (status, data or error). */
    JsonNode query(String promql) throws IOException, InterruptedException {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** An instant query at a time (Unix seconds). */
    JsonNode query(String promql, double time) throws IOException, InterruptedException {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&time=" + time);
    }

    /** The rule groups with each rule's health and last error. */
    JsonNode rules() throws IOException, InterruptedException {
        return get("/api/v1/rules");
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = Http.get(base + path, "application/json");
        return JSON.readTree(response.body());
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("prometheus.log"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
