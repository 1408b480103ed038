package io.dentrywatch.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;

/**
 * Everything but {@code /metrics} (which client_java's {@code HTTPServer} serves): {@code /healthz},
 * an index at {@code /}, and 404 for any other path. Registered as the server's default handler.
 */
final class HttpRoutes implements HttpHandler {

    static final String HEALTH_PATH = "/healthz";
    static final String METRICS_PATH = "/metrics";
    static final String SOURCES_PATH = "/sources";

    private static final String INDEX = """
            dentrywatch exporter
              /metrics  dentry-cache and OOM-kill metrics of this node (Prometheus text, or OpenMetrics by Accept);
                        503 until the probes are attached or node-only mode is settled
              /healthz  200 once the probes are attached or node-only mode is settled, 503 otherwise
              /sources  where negative dentries come from now: the node's top containers and directories
                        (a text table, or JSON with ?format=json; ?limit=N rows); NEGATIVE_SOURCES turns it on
            """;

    private final Health health;
    private final SourcesEndpoint sources;

    HttpRoutes(Health health) {
        this(health, null);
    }

    HttpRoutes(Health health, SourcesEndpoint sources) {
        this.health = health;
        this.sources = sources;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, HttpURLConnection.HTTP_BAD_METHOD, method + " is not supported: use GET\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case HEALTH_PATH -> {
                    Health.Report report = health.report();
                    respond(exchange, report.ready() ? HttpURLConnection.HTTP_OK : HttpURLConnection.HTTP_UNAVAILABLE,
                            report.body());
                }
                case "/" -> respond(exchange, HttpURLConnection.HTTP_OK, INDEX);
                case SOURCES_PATH -> {
                    if (sources == null) {
                        respond(exchange, HttpURLConnection.HTTP_NOT_FOUND, "not found: no sources endpoint\n");
                    } else {
                        sources.handle(exchange);
                    }
                }
                default -> respond(exchange, HttpURLConnection.HTTP_NOT_FOUND,
                        "not found: this exporter serves " + METRICS_PATH + " and " + HEALTH_PATH + "\n");
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        respond(exchange, status, body, "text/plain; charset=utf-8");
    }

    static void respond(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
