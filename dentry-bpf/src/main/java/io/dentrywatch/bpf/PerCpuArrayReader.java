package io.dentrywatch.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.NativeCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reads {@code u64} counters from a {@code BPF_MAP_TYPE_PERCPU_ARRAY}, summed over all possible
 * CPUs: an element's first, or all of them at once. Buffers are allocated once; not thread-safe.
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
        lookup(index);
        long sum = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            sum += values.get(JAVA_LONG, cpu * stride);
        }
        return sum;
    }

    /**
     * Every {@code u64} of element {@code index}, each summed over CPUs, into {@code sums}: a struct of
     * counters read with one lookup.
     *
     * @param sums one entry per 8 bytes of the map's value, overwritten
     */
    public void sum(int index, long[] sums) {
        if (sums.length != stride / 8) {
            throw new IllegalArgumentException(map + " holds " + stride / 8 + " counters per element, not " + sums.length);
        }
        lookup(index);
        Arrays.fill(sums, 0);
        for (int cpu = 0; cpu < cpus; cpu++) {
            long base = cpu * stride;
            for (int i = 0; i < sums.length; i++) {
                sums[i] += values.get(JAVA_LONG, base + 8L * i);
            }
        }
    }

    private void lookup(int index) {
        key.set(JAVA_INT, 0, index);
        int rc = NativeCall.invoke(() -> (int) Libbpf.MAP_LOOKUP_ELEM.invokeExact(fd, key, values));
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "lookup of element " + index + " in " + map);
        }
    }

    /** Frees the reader's buffers. */
    @Override
    public void close() {
        arena.close();
    }
}
