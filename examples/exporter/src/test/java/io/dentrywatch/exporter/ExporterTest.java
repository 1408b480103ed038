package io.dentrywatch.exporter;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exporter in this JVM, in node-only mode: no privileges needed. */
class ExporterTest {

    /** Node-only mode on loopback, a free port, a kernel read at every scrape. */
    static ExporterConfig nodeOnly() throws ConfigException {
        return new ConfigLoader(Map.of("ATTACH_MODE", "none", "METRICS_ADDRESS", "127.0.0.1", "SAMPLE_INTERVAL", "0s",
                "KUBERNETES_RESOLUTION", "off"), () -> "test-node").load(CommandLine.parse()).withMetricsPort(0);
    }

    private static String url(Exporter exporter, String path) {
        return "http://127.0.0.1:" + exporter.port() + path;
    }

    @Test
    void servesMetricsAsTextAndOpenMetricsAndReportsReadyWithTheMode() throws Exception {
        try (Exporter exporter = Exporter.start(nodeOnly(), List.of())) {
            HttpResponse<String> health = Http.get(url(exporter, "/healthz"));
            HttpResponse<String> text = Http.get(url(exporter, "/metrics"), "text/plain");
            HttpResponse<String> openMetrics = Http.get(url(exporter, "/metrics"), Http.OPENMETRICS);

            assertEquals(200, health.statusCode());
            assertTrue(health.body().startsWith("ready: mode none (node-wide numbers only), kernel "), health.body());
            assertTrue(health.body().contains("containers named from cgroup paths"), health.body());

            assertEquals(200, text.statusCode());
            assertTrue(text.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
            assertTrue(Exposition.complete(text.body(), false), text.body());
            assertTrue(Exposition.value(text.body(), "node_dentry_count", "type=\"total\"").orElseThrow() > 0);
            assertEquals(1.0, Exposition.value(text.body(), "dentry_monitor_info", "mode=\"none\"").orElseThrow());

            assertTrue(openMetrics.headers().firstValue("Content-Type").orElseThrow()
                    .startsWith("application/openmetrics-text; version=1.0.0"));
            assertTrue(Exposition.complete(openMetrics.body(), true), openMetrics.body());
            assertEquals(2.0, Exposition.value(openMetrics.body(), "dentry_monitor_reads_total").orElseThrow(),
                    "two scrapes, no minimum interval: two kernel reads");
        }
    }

    @Test
    void otherPathsAndMethods() throws Exception {
        try (Exporter exporter = Exporter.start(nodeOnly(), List.of())) {
            HttpResponse<String> index = Http.get(url(exporter, "/"));
            HttpResponse<String> missing = Http.get(url(exporter, "/metricz"));
            HttpResponse<String> head = Http.head(url(exporter, "/healthz"));
            String filtered = Http.get(url(exporter, "/metrics?name%5B%5D=node_dentry_count")).body();

            assertEquals(200, index.statusCode());
            assertTrue(index.body().contains("/metrics") && index.body().contains("/healthz"), index.body());
            assertEquals(404, missing.statusCode());
            assertEquals("not found: this exporter serves /metrics and /healthz\n", missing.body());
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
            assertTrue(Exposition.value(filtered, "node_dentry_count", "type=\"total\"").isPresent(), filtered);
            assertTrue(Exposition.value(filtered, "dentry_monitor_info").isEmpty(), "only the family asked for: " + filtered);
        }
    }

    @Test
    void anExtensionIsServedFromTheSameRegistryReportedInHealthAndClosedWithTheExporter() throws Exception {
        AtomicInteger closed = new AtomicInteger();
        ExtensionFactory factory = (config, resolver) -> Optional.of(new GaugeExtension(config.nodeName(), closed));
        Exporter exporter = Exporter.start(nodeOnly(), List.of(factory, (config, resolver) -> Optional.empty()));
        try {
            String metrics = Http.get(url(exporter, "/metrics")).body();
            String health = Http.get(url(exporter, "/healthz")).body();

            assertEquals(1.0, Exposition.value(metrics, "dentrywatch_test_extension", "node=\"test-node\"").orElseThrow());
            assertTrue(Exposition.value(metrics, "node_dentry_count", "type=\"total\"").isPresent(), metrics);
            assertTrue(health.endsWith("\ntest: watching node test-node\n"), health);
            assertEquals(0, closed.get());
        } finally {
            exporter.close();
        }
        assertEquals(1, closed.get());
        exporter.close();
        assertEquals(1, closed.get(), "close is idempotent");
    }

    @Test
    void anExtensionThatFailsToOpenLeavesTheExporterRunningWithoutIt() throws Exception {
        ExtensionFactory failing = (config, resolver) -> {
            throw new IllegalStateException("no CAP_BPF for the OOM probes");
        };
        try (Exporter exporter = Exporter.start(nodeOnly(), List.of(failing))) {
            assertEquals(200, Http.get(url(exporter, "/healthz")).statusCode());
            assertEquals(200, Http.get(url(exporter, "/metrics")).statusCode());
        }
    }

    @Test
    void metricsAnswers503LikeHealthzUntilEveryExtensionIsOpen() throws Exception {
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExtensionFactory slow = (config, resolver) -> {
            opening.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(new GaugeExtension(config.nodeName(), new AtomicInteger()));
        };
        ExporterConfig config = nodeOnly().withMetricsPort(ExporterProcess.freePort());
        String base = "http://127.0.0.1:" + config.metricsPort();
        try (ExecutorService starter = Executors.newSingleThreadExecutor()) {
            Future<Exporter> started = starter.submit(() -> Exporter.start(config, List.of(slow)));
            try {
                assertTrue(opening.await(30, TimeUnit.SECONDS), "the extension is being opened");
                HttpResponse<String> metrics = Http.get(base + "/metrics");
                HttpResponse<String> health = Http.get(base + "/healthz");
                HttpResponse<String> index = Http.get(base + "/");

                assertEquals(503, metrics.statusCode(), "the sampler's probes are open, the extension's are not yet");
                assertEquals("", metrics.body());
                assertEquals(503, health.statusCode());
                assertEquals("starting: opening the dentry probes\n", health.body());
                assertEquals(200, index.statusCode());
            } finally {
                release.countDown();
            }
            try (Exporter exporter = started.get(30, TimeUnit.SECONDS)) {
                String metrics = Http.get(base + "/metrics").body();
                assertEquals(1.0, Exposition.value(metrics, "dentrywatch_test_extension", "node=\"test-node\"").orElseThrow());
                assertEquals(200, Http.get(base + "/healthz").statusCode());
            }
        }
    }

    @Test
    void aPortInUseFailsWithItsExitCodeAndSaysWhatToDo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ExporterConfig config = nodeOnly().withMetricsPort(taken.getLocalPort());

            StartupException e = assertThrows(StartupException.class, () -> Exporter.start(config, List.of()));

            assertEquals(ExitCode.CANNOT_LISTEN, e.exitCode());
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use. If another process holds port " + taken.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("choose another port with METRICS_PORT or --metrics-port"), e.getMessage());
        }
    }

    @Test
    void closeStopsServing() throws Exception {
        Exporter exporter = Exporter.start(nodeOnly(), List.of());
        String health = url(exporter, "/healthz");
        assertEquals(200, Http.get(health).statusCode());

        exporter.close();
        exporter.awaitClosed();

        assertThrows(ConnectException.class, () -> Http.get(health));
    }

    /** An extension serving one gauge, as the OOM collector will serve its families. */
    private record GaugeExtension(String node, AtomicInteger closed) implements ExporterExtension, MultiCollector {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public MultiCollector collector() {
            return this;
        }

        @Override
        public String status() {
            return "watching node " + node;
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }

        @Override
        public MetricSnapshots collect() {
            return MetricSnapshots.of(GaugeSnapshot.builder().name("dentrywatch_test_extension").help("A test gauge.")
                    .dataPoint(GaugeDataPointSnapshot.builder().value(1).labels(
                            io.prometheus.metrics.model.snapshots.Labels.of("node", node)).build())
                    .build());
        }
    }
}
