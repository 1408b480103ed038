package io.dentrywatch.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A BPF ring buffer ({@code BPF_MAP_TYPE_RINGBUF}, kernel 5.8+) read through libbpf's
 * {@code ring_buffer} API. Records are handed to the {@link RecordHandler} in the order the programs
 * committed them. A program whose reservation fails (the buffer is full) must count that itself:
 * the kernel keeps no count of refused reservations.
 */
public final class RingBuffer implements EventBuffer {

    /** {@code BPF_MAP_TYPE_RINGBUF}. */
    public static final int MAP_TYPE = 27;

    private static final int EINTR = 4;
    private static final MethodHandle SAMPLE;

    static {
        try {
            SAMPLE = MethodHandles.lookup().findVirtual(RingBuffer.class, "sample",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private final String name;
    private final RecordHandler handler;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private int handled;
    private volatile long failed;
    private volatile boolean closed;

    private RingBuffer(BpfMap map, int fd, RecordHandler handler) {
        this.name = map.name();
        this.handler = handler;
        try {
            MemorySegment callback = Linker.nativeLinker().upcallStub(SAMPLE.bindTo(this), LibbpfEvents.RING_SAMPLE, arena);
            MemorySegment state = arena.allocate(Libbpf.CALL_STATE);
            MemorySegment rb = (MemorySegment) LibbpfEvents.RING_BUFFER_NEW.invokeExact(
                    state, fd, callback, MemorySegment.NULL, MemorySegment.NULL);
            if (rb.equals(MemorySegment.NULL)) {
                throw BpfException.fromErrno(Libbpf.errno(state), "create a ring buffer reader on map " + name);
            }
            this.handle = rb;
        } catch (Throwable t) {
            arena.close();
            throw BpfObject.rethrow(t);
        }
    }

    /**
     * Opens a reader on a loaded ring buffer map.
     *
     * @param map     a loaded {@code BPF_MAP_TYPE_RINGBUF} map
     * @param handler receives every record, on the polling thread
     * @throws IllegalArgumentException if the map is not a ring buffer
     * @throws BpfException             if libbpf cannot set the reader up (for example out of memory)
     */
    public static RingBuffer open(BpfMap map, RecordHandler handler) {
        LibbpfLibrary.require();
        if (map.type() != MAP_TYPE) {
            throw new IllegalArgumentException(map + " is not a BPF ring buffer (type " + map.type() + ", not " + MAP_TYPE + ")");
        }
        if (handler == null) {
            throw new NullPointerException("handler");
        }
        return new RingBuffer(map, map.fd(), handler);
    }

    @Override
    public int poll(int timeoutMillis) {
        requireOpen();
        handled = 0;
        int rc = BpfObject.call(() -> (int) LibbpfEvents.RING_BUFFER_POLL.invokeExact(handle, timeoutMillis));
        if (rc < 0 && rc != -EINTR) {
            throw BpfException.fromErrno(rc, "poll ring buffer " + name);
        }
        return handled;
    }

    @Override
    public long lostRecords() {
        return failed;
    }

    /** The upcall: never lets anything escape into native code. */
    private int sample(MemorySegment context, MemorySegment data, long size) {
        handled++;
        try {
            handler.onRecord(data.reinterpret(size));
        } catch (Throwable t) {
            failed++; // only the polling thread writes
        }
        return 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            LibbpfEvents.RING_BUFFER_FREE.invokeExact(handle);
        } catch (Throwable t) {
            throw BpfObject.rethrow(t);
        } finally {
            arena.close();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("ring buffer " + name + " is closed");
        }
    }

    @Override
    public String toString() {
        return "ring buffer " + name;
    }
}
