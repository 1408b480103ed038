package io.dentrywatch.exporter;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;

import java.net.HttpURLConnection;

/**
 * Holds {@code /metrics} at 503 while the exporter starts, as {@code /healthz} is: until {@link Health}
 * is ready, that is until every probe (the dentry sampler's and each extension's, the OOM watcher's) is
 * attached or has failed and degraded what it feeds. A scrape that succeeds therefore means that every
 * OOM kill from then on is counted; before, one in the window between the server listening and the OOM
 * watcher attaching was lost. {@code /metrics} stays served while the exporter stops, until the server closes.
 *
 * <p>It is an {@link Authenticator} because that is the one hook client_java's {@code HTTPServer} runs ahead of
 * its metrics handler (it sets it on every context); it authenticates nobody: every other path, and
 * {@code /metrics} once started, passes. The 503 has no body; {@code /healthz} says what the exporter is doing.
 */
final class StartupGate extends Authenticator {

    private static final Success PASS = new Success(new HttpPrincipal("", "dentrywatch"));

    private final Health health;

    StartupGate(Health health) {
        this.health = health;
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        if (health.started() || !exchange.getHttpContext().getPath().equals(HttpRoutes.METRICS_PATH)) {
            return PASS;
        }
        return new Failure(HttpURLConnection.HTTP_UNAVAILABLE);
    }
}
