package io.dentrywatch.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A per-CPU perf buffer ({@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}) read through libbpf's
 * {@code perf_buffer} API: the way to stream records on kernels before 5.8, which have no BPF ring
 * buffer. Records of one CPU arrive in order; records of different CPUs may interleave. Records the
 * kernel drops because a CPU's buffer is full are reported by the kernel and counted in
 * {@link #lostRecords()}.
 */
public final class PerfBuffer implements EventBuffer {

    /** {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}. */
    public static final int MAP_TYPE = 4;

    private static final int EINTR = 4;
    private static final MethodHandle SAMPLE;
    private static final MethodHandle LOST;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SAMPLE = lookup.findVirtual(PerfBuffer.class, "sample",
                    MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class, int.class));
            LOST = lookup.findVirtual(PerfBuffer.class, "lost",
                    MethodType.methodType(void.class, MemorySegment.class, int.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private final String name;
    private final RecordHandler handler;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private int handled;
    private volatile long lost;
    private volatile boolean closed;

    private PerfBuffer(BpfMap map, int fd, int pagesPerCpu, RecordHandler handler) {
        this.name = map.name();
        this.handler = handler;
        try {
            Linker linker = Linker.nativeLinker();
            MemorySegment sample = linker.upcallStub(SAMPLE.bindTo(this), LibbpfEvents.PERF_SAMPLE, arena);
            MemorySegment lostCallback = linker.upcallStub(LOST.bindTo(this), LibbpfEvents.PERF_LOST, arena);
            MemorySegment state = arena.allocate(Libbpf.CALL_STATE);
            MemorySegment pb = (MemorySegment) LibbpfEvents.PERF_BUFFER_NEW.invokeExact(
                    state, fd, (long) pagesPerCpu, sample, lostCallback, MemorySegment.NULL, MemorySegment.NULL);
            if (pb.equals(MemorySegment.NULL)) {
                throw BpfException.fromErrno(Libbpf.errno(state), "create a perf buffer reader on map " + name
                        + " (" + pagesPerCpu + " pages per CPU)");
            }
            this.handle = pb;
        } catch (Throwable t) {
            arena.close();
            throw BpfObject.rethrow(t);
        }
    }

    /**
     * Opens a reader on a loaded perf event array, with one buffer per possible CPU.
     *
     * @param map         a loaded {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY} map
     * @param pagesPerCpu the size of each CPU's buffer in pages: a power of two
     * @param handler     receives every record, on the polling thread
     * @throws IllegalArgumentException if the map is not a perf event array or the size is not a power of two
     * @throws BpfException             if the perf events cannot be opened
     */
    public static PerfBuffer open(BpfMap map, int pagesPerCpu, RecordHandler handler) {
        LibbpfLibrary.require();
        if (map.type() != MAP_TYPE) {
            throw new IllegalArgumentException(map + " is not a perf event array (type " + map.type() + ", not " + MAP_TYPE + ")");
        }
        if (pagesPerCpu < 1 || Integer.bitCount(pagesPerCpu) != 1) {
            throw new IllegalArgumentException("pages per CPU must be a power of two: " + pagesPerCpu);
        }
        if (handler == null) {
            throw new NullPointerException("handler");
        }
        return new PerfBuffer(map, map.fd(), pagesPerCpu, handler);
    }

    @Override
    public int poll(int timeoutMillis) {
        requireOpen();
        handled = 0;
        int rc = BpfObject.call(() -> (int) LibbpfEvents.PERF_BUFFER_POLL.invokeExact(handle, timeoutMillis));
        if (rc < 0 && rc != -EINTR) {
            throw BpfException.fromErrno(rc, "poll perf buffer " + name);
        }
        return handled;
    }

    @Override
    public long lostRecords() {
        return lost;
    }

    /** The sample upcall: never lets anything escape into native code. */
    private void sample(MemorySegment context, int cpu, MemorySegment data, int size) {
        handled++;
        try {
            handler.onRecord(data.reinterpret(Integer.toUnsignedLong(size)));
        } catch (Throwable t) {
            lost++; // only the polling thread writes
        }
    }

    /** The lost upcall: the kernel dropped {@code count} records of one CPU. */
    private void lost(MemorySegment context, int cpu, long count) {
        lost += count;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            LibbpfEvents.PERF_BUFFER_FREE.invokeExact(handle);
        } catch (Throwable t) {
            throw BpfObject.rethrow(t);
        } finally {
            arena.close();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("perf buffer " + name + " is closed");
        }
    }

    @Override
    public String toString() {
        return "perf buffer " + name;
    }
}
