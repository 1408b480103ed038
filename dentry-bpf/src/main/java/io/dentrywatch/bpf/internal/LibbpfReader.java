package io.dentrywatch.bpf.internal;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.Errno;
import io.dentrywatch.bpf.RecordHandler;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * What {@link io.dentrywatch.bpf.RingBuffer} and {@link io.dentrywatch.bpf.PerfBuffer} share: libbpf's
 * reader of one map (a {@code ring_buffer} or a {@code perf_buffer}) with the arena of its callbacks,
 * polling it, handing records to the {@link RecordHandler}, counting those that never reached it, and
 * freeing it. The callbacks are upcall stubs bound to this reader and allocated in its arena.
 */
public final class LibbpfReader {

    /** Creates libbpf's reader with its callbacks bound to {@code owner} and allocated in {@code arena}. */
    @FunctionalInterface
    private interface Creation {
        /** @return the reader, or {@code NULL} with {@code errno} left in {@code callState} */
        MemorySegment create(LibbpfReader owner, Arena arena, MemorySegment callState) throws Throwable;
    }

    private static final MethodHandle RING_SAMPLE;
    private static final MethodHandle PERF_SAMPLE;
    private static final MethodHandle PERF_LOST;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RING_SAMPLE = lookup.findVirtual(LibbpfReader.class, "ringSample",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class));
            PERF_SAMPLE = lookup.findVirtual(LibbpfReader.class, "perfSample",
                    MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class, int.class));
            PERF_LOST = lookup.findVirtual(LibbpfReader.class, "perfLost",
                    MethodType.methodType(void.class, MemorySegment.class, int.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

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
    private LibbpfReader(String description, String creationWhat, RecordHandler handler,
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
            throw NativeCall.rethrow(t);
        }
    }

    /**
     * libbpf's {@code ring_buffer} on a loaded {@code BPF_MAP_TYPE_RINGBUF} map.
     *
     * @param mapName the map's name, for messages
     * @param fd      the map's file descriptor
     * @param handler receives every record, on the polling thread
     */
    public static LibbpfReader ring(String mapName, int fd, RecordHandler handler) {
        return new LibbpfReader("ring buffer " + mapName, "create a ring buffer reader on map " + mapName, handler,
                LibbpfEvents.RING_BUFFER_POLL, LibbpfEvents.RING_BUFFER_FREE,
                (owner, arena, state) -> (MemorySegment) LibbpfEvents.RING_BUFFER_NEW.invokeExact(state, fd,
                        Linker.nativeLinker().upcallStub(RING_SAMPLE.bindTo(owner), LibbpfEvents.RING_SAMPLE, arena),
                        MemorySegment.NULL, MemorySegment.NULL));
    }

    /**
     * libbpf's {@code perf_buffer} on a loaded {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY} map, one buffer per
     * possible CPU.
     *
     * @param mapName     the map's name, for messages
     * @param fd          the map's file descriptor
     * @param pagesPerCpu the size of each CPU's buffer in pages: a power of two
     * @param handler     receives every record, on the polling thread
     */
    public static LibbpfReader perf(String mapName, int fd, int pagesPerCpu, RecordHandler handler) {
        return new LibbpfReader("perf buffer " + mapName, "create a perf buffer reader on map " + mapName
                        + " (" + pagesPerCpu + " pages per CPU)", handler,
                LibbpfEvents.PERF_BUFFER_POLL, LibbpfEvents.PERF_BUFFER_FREE,
                (owner, arena, state) -> {
                    Linker linker = Linker.nativeLinker();
                    MemorySegment sample = linker.upcallStub(PERF_SAMPLE.bindTo(owner), LibbpfEvents.PERF_SAMPLE, arena);
                    MemorySegment lost = linker.upcallStub(PERF_LOST.bindTo(owner), LibbpfEvents.PERF_LOST, arena);
                    return (MemorySegment) LibbpfEvents.PERF_BUFFER_NEW.invokeExact(
                            state, fd, (long) pagesPerCpu, sample, lost, MemorySegment.NULL, MemorySegment.NULL);
                });
    }

    /**
     * Waits up to {@code timeoutMillis} for records and hands every available one to the handler: see
     * {@link io.dentrywatch.bpf.EventBuffer#poll(int)}.
     *
     * @param timeoutMillis how long to wait when nothing is available; 0 returns at once
     * @return the number of records handled (0 on timeout or when interrupted by a signal)
     */
    public int poll(int timeoutMillis) {
        requireOpen();
        handled = 0;
        int rc = NativeCall.invoke(() -> (int) pollFunction.invokeExact(handle, timeoutMillis));
        if (rc < 0 && rc != -Errno.EINTR.number()) {
            throw BpfException.fromErrno(rc, "poll " + description);
        }
        return handled;
    }

    /**
     * Records that were sent but never reached the handler: see
     * {@link io.dentrywatch.bpf.EventBuffer#lostRecords()}.
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
            throw NativeCall.rethrow(t);
        } finally {
            arena.close();
        }
    }

    /** The ring buffer's sample upcall. */
    private int ringSample(MemorySegment context, MemorySegment data, long size) {
        deliver(data, size);
        return 0;
    }

    /** The perf buffer's sample upcall. */
    private void perfSample(MemorySegment context, int cpu, MemorySegment data, int size) {
        deliver(data, Integer.toUnsignedLong(size));
    }

    /** The perf buffer's lost upcall: the kernel dropped {@code count} records of one CPU. */
    private void perfLost(MemorySegment context, int cpu, long count) {
        lost += count; // only the polling thread writes
    }

    /** What a sample callback does with a record of {@code size} bytes: never lets anything escape into native code. */
    private void deliver(MemorySegment data, long size) {
        handled++;
        try {
            handler.onRecord(data.reinterpret(size));
        } catch (Throwable t) {
            lost++; // only the polling thread writes
        }
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
