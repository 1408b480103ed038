package io.dentrywatch.bpf;

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
public final class PerfBuffer extends LibbpfReader implements EventBuffer {

    /** {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}. */
    public static final int MAP_TYPE = 4;

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

    private PerfBuffer(BpfMap map, int fd, int pagesPerCpu, RecordHandler handler) {
        super("perf buffer " + map.name(), "create a perf buffer reader on map " + map.name()
                        + " (" + pagesPerCpu + " pages per CPU)", handler,
                LibbpfEvents.PERF_BUFFER_POLL, LibbpfEvents.PERF_BUFFER_FREE,
                (owner, arena, state) -> {
                    Linker linker = Linker.nativeLinker();
                    MemorySegment sample = linker.upcallStub(SAMPLE.bindTo(owner), LibbpfEvents.PERF_SAMPLE, arena);
                    MemorySegment lost = linker.upcallStub(LOST.bindTo(owner), LibbpfEvents.PERF_LOST, arena);
                    return (MemorySegment) LibbpfEvents.PERF_BUFFER_NEW.invokeExact(
                            state, fd, (long) pagesPerCpu, sample, lost, MemorySegment.NULL, MemorySegment.NULL);
                });
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

    /** The sample upcall. */
    private void sample(MemorySegment context, int cpu, MemorySegment data, int size) {
        deliver(data, Integer.toUnsignedLong(size));
    }

    /** The lost upcall: the kernel dropped {@code count} records of one CPU. */
    private void lost(MemorySegment context, int cpu, long count) {
        dropped(count);
    }
}
