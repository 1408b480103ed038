/**
 * dentrywatch's public API, a package per subsystem: {@code io.dentrywatch.core}, the dentry sampler
 * ({@link io.dentrywatch.core.DentrySampler}) and its records; {@code io.dentrywatch.oom}, the OOM
 * watcher ({@link io.dentrywatch.oom.OomWatcher}) and its records; {@code io.dentrywatch.cgroup},
 * cgroup paths and container identity; {@code io.dentrywatch.core.export}, what metric adapters share.
 * Host and {@code /proc} parsing ({@code io.dentrywatch.internal.host}) and the BPF probes
 * ({@code io.dentrywatch.internal.probe}) are not exported.
 */
module io.dentrywatch.core {
    requires transitive io.dentrywatch.bpf;
    requires org.slf4j;

    exports io.dentrywatch.core;
    exports io.dentrywatch.oom;
    exports io.dentrywatch.cgroup;
    exports io.dentrywatch.core.export;
}
