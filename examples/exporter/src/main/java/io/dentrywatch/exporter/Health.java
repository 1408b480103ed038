package io.dentrywatch.exporter;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What {@code /healthz} answers. Not ready (503) while the exporter starts and once it stops; ready
 * (200) once the probes are attached or node-only mode is settled ({@code /metrics} answers 503 until
 * then too: {@link StartupGate}). The body's first line says which
 * mode; the lines after it (the Kubernetes resolver's state, each extension's) are asked for at each
 * request. Thread-safe.
 */
final class Health {

    /** The answer to one request. */
    record Report(boolean ready, String body) {
    }

    private sealed interface State permits Starting, Ready, Stopping {
    }

    private record Starting() implements State {
    }

    private record Ready(String summary, Supplier<List<String>> details) implements State {
    }

    private record Stopping() implements State {
    }

    private volatile State state = new Starting();

    /**
     * Marks the exporter ready.
     *
     * @param summary the mode line, for example {@code mode tracepoint, kernel 6.18.44, cgroups hybrid ...}
     * @param details asked for at each request: one line per part whose state changes (the resolver, extensions)
     */
    void ready(String summary, Supplier<List<String>> details) {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(details, "details");
        state = new Ready(summary, details);
    }

    /**
     * Whether {@link #ready} has been called: the exporter has started (it may be stopping since).
     *
     * @return false while starting, true once ready and while stopping
     */
    boolean started() {
        return !(state instanceof Starting);
    }

    /** Marks the exporter as shutting down; it is not ready from now on. */
    void stopping() {
        state = new Stopping();
    }

    /**
     * The answer now.
     *
     * @return ready or not, and the body
     */
    Report report() {
        return switch (state) {
            case Starting s -> new Report(false, "starting: opening the dentry probes\n");
            case Stopping s -> new Report(false, "stopping: detaching the probes\n");
            case Ready r -> {
                StringBuilder body = new StringBuilder("ready: ").append(r.summary()).append('\n');
                r.details().get().forEach(line -> body.append(line).append('\n'));
                yield new Report(true, body.toString());
            }
        };
    }
}
