package io.dentrywatch.oom;

/** How OOM events reach user space. */
enum OomTransport {
    /** The ring buffer on kernel 5.8+, the perf buffer before. */
    AUTO,
    /** {@code oom.bpf.o}: a BPF ring buffer (kernel 5.8+). */
    RING_BUFFER,
    /** {@code oom_perf.bpf.o}: a per-CPU perf buffer (any kernel). */
    PERF_BUFFER
}
