package io.dentrywatch.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * What {@link RingBuffer} and {@link PerfBuffer} share: libbpf's reader of one map (a {@code ring_buffer}
 * or a {@code perf_buffer}) with the arena of its callbacks, polling it, handing records to the
 * {@link RecordHandler}, counting those that never reached it, and freeing it. A subclass names the libbpf
 * functions and creates the reader with callbacks that call {@link #deliver}.
 */
abstract sealed class LibbpfReader permits RingBuffer, PerfBuffer {

    /** Creates libbpf's reader with its callbacks bound to {@code owner} and allocated in {@code arena}. */
    @FunctionalInterface
    interface Creation {
        /** @return the reader, or {@code NULL} with {@code errno} left in {@code callState} */
        MemorySegment create(LibbpfReader owner, Arena arena, MemorySegment callState) throws Throwable;
    }

    private static final int EINTR = 4;

    private final String description;
    private final RecordHandler handler;
    private final MethodHandle pollFunction;
    private final MethodHandle freeFunction;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private int handled;
    private volatile long lost;
    private volatile boolean closed;

    /**
     * @param description  what it reads, for messages: for example {@code ring buffer oom_events}
     * @param creationWhat the operation {@code creation} performs, for its error
     * @param handler      receives every record, on the polling thread
     * @param pollFunction libbpf's {@code *__poll(reader, timeout_ms)}
     * @param freeFunction libbpf's {@code *__free(reader)}
     * @param creation     libbpf's {@code *__new} with this reader's callbacks
     */
    LibbpfReader(String description, String creationWhat, RecordHandler handler,
                 MethodHandle pollFunction, MethodHandle freeFunction, Creation creation) {
        this.description = description;
        this.handler = handler;
        this.pollFunction = pollFunction;
        this.freeFunction = freeFunction;
        try {
            MemorySegment state = arena.allocate(Libbpf.CALL_STATE);
            MemorySegment reader = creation.create(this, arena, state);
            if (reader.equals(MemorySegment.NULL)) {
                throw BpfException.fromErrno(Libbpf.errno(state), creationWhat);
            }
            this.handle = reader;
        } catch (Throwable t) {
            arena.close();
            throw BpfObject.rethrow(t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for records and hands every available one to the handler: see
     * {@link EventBuffer#poll(int)}.
     *
     * @param timeoutMillis how long to wait when nothing is available; 0 returns at once
     * @return the number of records handled (0 on timeout or when interrupted by a signal)
     */
    public int poll(int timeoutMillis) {
        requireOpen();
        handled = 0;
        int rc = BpfObject.call(() -> (int) pollFunction.invokeExact(handle, timeoutMillis));
        if (rc < 0 && rc != -EINTR) {
            throw BpfException.fromErrno(rc, "poll " + description);
        }
        return handled;
    }

    /**
     * Records that were sent but never reached the handler: see {@link EventBuffer#lostRecords()}.
     *
     * @return the count since the reader was opened
     */
    public long lostRecords() {
        return lost;
    }

    /** Frees the reader and its callbacks. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            freeFunction.invokeExact(handle);
        } catch (Throwable t) {
            throw BpfObject.rethrow(t);
        } finally {
            arena.close();
        }
    }

    /** What a sample callback does with a record of {@code size} bytes: never lets anything escape into native code. */
    final void deliver(MemorySegment data, long size) {
        handled++;
        try {
            handler.onRecord(data.reinterpret(size));
        } catch (Throwable t) {
            lost++; // only the polling thread writes
        }
    }

    /** What a lost callback does: the kernel dropped {@code count} records. */
    final void dropped(long count) {
        lost += count;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(description + " is closed");
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
