/**
 * dentrywatch's public API: {@link io.dentrywatch.core.DentrySampler}, {@link io.dentrywatch.core.OomWatcher},
 * their sample records and container identities; {@code io.dentrywatch.core.export} is what metric
 * adapters share.
 */
module io.dentrywatch.core {
    requires transitive io.dentrywatch.bpf;
    requires org.slf4j;

    exports io.dentrywatch.core;
    exports io.dentrywatch.core.export;
}
