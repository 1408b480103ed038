package io.dentrywatch.bpf.internal;

import static io.dentrywatch.bpf.internal.LibbpfLibrary.plain;
import static io.dentrywatch.bpf.internal.LibbpfLibrary.withErrno;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * The libbpf functions that stream records from BPF programs to user space: the BPF ring buffer
 * (kernel 5.8+) and the per-CPU perf buffer (older kernels), as downcall handles bound once. The
 * {@code *__new} functions return {@code NULL} and set {@code errno} on failure; the others return
 * {@code -errno}.
 */
final class LibbpfEvents {

    // typedef int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size)
    static final FunctionDescriptor RING_SAMPLE = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    // typedef void (*perf_buffer_sample_fn)(void *ctx, int cpu, void *data, __u32 size)
    static final FunctionDescriptor PERF_SAMPLE = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    // typedef void (*perf_buffer_lost_fn)(void *ctx, int cpu, __u64 cnt)
    static final FunctionDescriptor PERF_LOST = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG);

    // struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx, const struct ring_buffer_opts *opts)
    static final MethodHandle RING_BUFFER_NEW = withErrno("ring_buffer__new",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    // int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms)
    static final MethodHandle RING_BUFFER_POLL = plain("ring_buffer__poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    // void ring_buffer__free(struct ring_buffer *rb)
    static final MethodHandle RING_BUFFER_FREE = plain("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));

    // struct perf_buffer *perf_buffer__new(int map_fd, size_t page_cnt, perf_buffer_sample_fn sample_cb,
    //                                      perf_buffer_lost_fn lost_cb, void *ctx, const struct perf_buffer_opts *opts)
    static final MethodHandle PERF_BUFFER_NEW = withErrno("perf_buffer__new",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    // int perf_buffer__poll(struct perf_buffer *pb, int timeout_ms)
    static final MethodHandle PERF_BUFFER_POLL = plain("perf_buffer__poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    // void perf_buffer__free(struct perf_buffer *pb)
    static final MethodHandle PERF_BUFFER_FREE = plain("perf_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));

    private LibbpfEvents() {
    }
}
