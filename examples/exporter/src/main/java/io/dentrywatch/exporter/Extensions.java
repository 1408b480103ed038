package io.dentrywatch.exporter;

import java.util.List;

/**
 * The extensions the exporter's {@code main} opens. None yet: the OOM-kill collector (dentry-core's
 * {@code OomWatcher} behind a {@code MultiCollector} emitting {@code oom_kills_total},
 * {@code oom_kills_per_node_total}, {@code oom_memory_usage_bytes} and {@code oom_last_timestamp})
 * is added to this list as an {@link ExtensionFactory}, with its node label from
 * {@link ExporterConfig#nodeName()}. The alert rules and the dashboard already use those families.
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
        return List.of();
    }
}
