package io.dentrywatch.exporter;

import java.util.List;

/**
 * The extensions the exporter's {@code main} opens: the OOM-kill watcher ({@link OomExtension}: dentry-core's
 * {@code OomWatcher} behind dentry-prometheus's {@code OomCollector}, emitting {@code oom_kills_total},
 * {@code oom_kills_per_node_total}, {@code oom_memory_usage_bytes}, {@code oom_last_timestamp},
 * {@code oom_lost_events_total} and {@code oom_watcher_degraded_info} with the node label from
 * {@link ExporterConfig#nodeName()}, and a log line per kill).
 */
final class Extensions {

    private Extensions() {
    }

    /**
     * The factories {@code main} passes to {@link Exporter#start}.
     *
     * @return the built-in extensions, in the order they are opened
     */
    static List<ExtensionFactory> builtIn() {
        return List.of(OomExtension::open);
    }
}
