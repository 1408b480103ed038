package io.dentrywatch.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.NativeCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reads single {@code u64} counters from a {@code BPF_MAP_TYPE_PERCPU_ARRAY}, summed over all
 * possible CPUs. Buffers are allocated once; not thread-safe.
 */
public final class PerCpuArrayReader implements AutoCloseable {

    private final BpfMap map;
    private final int fd;
    private final int cpus;
    private final long stride;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment key;
    private final MemorySegment values;

    /**
     * A reader of {@code map}, with its buffers allocated.
     *
     * @param map a loaded per-CPU array map whose value starts with a {@code u64} counter
     */
    public PerCpuArrayReader(BpfMap map) {
        if (!map.is(MapType.PERCPU_ARRAY) || map.valueSize() % 8 != 0) {
            throw new IllegalArgumentException(map + " is not a per-CPU array of 8-byte counters");
        }
        this.map = map;
        this.fd = map.fd();
        this.cpus = PerCpuMapReader.possibleCpus();
        this.stride = map.valueSize();
        this.key = arena.allocate(4, 4);
        this.values = arena.allocate(stride * cpus, 8);
    }

    /** The first {@code u64} of element {@code index}, summed over CPUs. */
    public long sum(int index) {
        key.set(JAVA_INT, 0, index);
        int rc = NativeCall.invoke(() -> (int) Libbpf.MAP_LOOKUP_ELEM.invokeExact(fd, key, values));
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "lookup of element " + index + " in " + map);
        }
        long sum = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            sum += values.get(JAVA_LONG, cpu * stride);
        }
        return sum;
    }

    /** Frees the reader's buffers. */
    @Override
    public void close() {
        arena.close();
    }
}
