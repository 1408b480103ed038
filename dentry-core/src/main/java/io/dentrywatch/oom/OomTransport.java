package io.dentrywatch.oom;

import io.dentrywatch.internal.host.KernelRelease;

/** How OOM events reach user space. */
enum OomTransport {
    /** {@code oom.bpf.o}: a BPF ring buffer (kernel 5.8+). */
    RING_BUFFER,
    /** {@code oom_perf.bpf.o}: a per-CPU perf buffer (any kernel). */
    PERF_BUFFER;

    /** The ring buffer on kernel 5.8+, the perf buffer before. */
    static OomTransport of(KernelRelease kernel) {
        return kernel.atLeast(5, 8) ? RING_BUFFER : PERF_BUFFER;
    }
}
