package io.dentrywatch.exporter;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar with Kubernetes resolution on, against an API server that denies listing pods: the shaded
 * fabric8 client starts (its ServiceLoader files survived shading), the informer asks for this node's
 * pods only, the exporter still serves, and {@code /healthz} says which RBAC rule is missing.
 */
class ExporterKubernetesIT {

    private static final String FORBIDDEN = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"pods is forbidden: User \\"system:serviceaccount:monitoring:dentrywatch\\" cannot list resource \\"pods\\" in API group \\"\\" at the cluster scope",
             "reason":"Forbidden","details":{"kind":"pods"},"code":403}
            """;

    @Test
    void aDeniedPodListShowsInHealthWhileMetricsAreServed() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        api.createContext("/", exchange -> {
            requests.add(URLDecoder.decode(exchange.getRequestURI().toString(), StandardCharsets.UTF_8));
            byte[] body = FORBIDDEN.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(403, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        api.start();
        int port = ExporterProcess.freePort();
        try (ExporterProcess exporter = ExporterProcess.start(List.of(), Map.of(
                "ATTACH_MODE", "none", "METRICS_ADDRESS", "127.0.0.1", "METRICS_PORT", Integer.toString(port),
                "KUBERNETES_SERVICE_HOST", "127.0.0.1", "NODE_NAME", "node-a",
                "KUBERNETES_API", "http://127.0.0.1:" + api.getAddress().getPort()))) {
            exporter.awaitHealthy(port, Duration.ofSeconds(60));
            String health = awaitHealth(port, "kubernetes: FORBIDDEN: ");

            assertTrue(health.startsWith("ready: mode none (node-wide numbers only), "), health);
            assertTrue(health.contains("containers named from the Kubernetes API"), health);
            assertTrue(health.contains("apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\",\"list\",\"watch\"]"), health);
            assertTrue(requests.getFirst().startsWith("/api/v1/pods?"), requests.toString());
            assertTrue(requests.getFirst().contains("fieldSelector=spec.nodeName=node-a"), requests.toString());
            assertEquals(200, Http.get("http://127.0.0.1:" + port + "/metrics").statusCode());
            exporter.terminate();
            assertEquals(143, exporter.awaitExit(Duration.ofSeconds(10)), exporter.output());
            assertTrue(!exporter.output().contains("\tat io.fabric8"), "fabric8's retry stack traces stay out of the log:\n"
                    + exporter.output());
        } finally {
            api.stop(0);
        }
    }

    private static String awaitHealth(int port, String wanted) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String body = "";
        while (System.nanoTime() < end) {
            body = Http.get("http://127.0.0.1:" + port + "/healthz").body();
            if (body.contains(wanted)) {
                return body;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/healthz never said " + wanted + ": " + body);
    }
}
