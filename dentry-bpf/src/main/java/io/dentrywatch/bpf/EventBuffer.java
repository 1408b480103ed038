package io.dentrywatch.bpf;

/**
 * A stream of records from BPF programs to user space: a {@link RingBuffer} (kernel 5.8+) or a
 * {@link PerfBuffer} (older kernels). One thread polls; records are handed to a
 * {@link RecordHandler} on that thread during {@link #poll}. Close it only when no poll is running.
 */
public sealed interface EventBuffer extends AutoCloseable permits LibbpfEventBuffer {

    /**
     * Waits up to {@code timeoutMillis} for records and hands every available one to the handler.
     *
     * @param timeoutMillis how long to wait when nothing is available; 0 returns at once
     * @return the number of records handled (0 on timeout or when interrupted by a signal)
     * @throws BpfException if polling failed
     * @throws IllegalStateException if the buffer is closed
     */
    int poll(int timeoutMillis);

    /**
     * Records that were sent but never reached the handler: dropped by the kernel because the buffer
     * was full (perf buffer only: a full ring buffer refuses the reservation, which the BPF program
     * has to count itself), or whose handler threw. Readable from any thread.
     */
    long lostRecords();

    /** Frees the buffer and its callbacks. Idempotent. */
    @Override
    void close();
}
