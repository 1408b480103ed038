package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.LibbpfLibrary;
import io.dentrywatch.bpf.internal.LibbpfReader;

/**
 * A per-CPU perf buffer ({@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}) read through libbpf's
 * {@code perf_buffer} API: the way to stream records on kernels before 5.8, which have no BPF ring
 * buffer. Records of one CPU arrive in order; records of different CPUs may interleave. Records the
 * kernel drops because a CPU's buffer is full are reported by the kernel and counted in
 * {@link #lostRecords()}.
 */
public final class PerfBuffer extends LibbpfEventBuffer {

    private PerfBuffer(LibbpfReader reader) {
        super(reader);
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
        if (!map.is(MapType.PERF_EVENT_ARRAY)) {
            throw new IllegalArgumentException(map + " is not a perf event array: " + MapType.describe(map.typeNumber())
                    + ", not " + MapType.describe(MapType.PERF_EVENT_ARRAY.number()));
        }
        if (pagesPerCpu < 1 || Integer.bitCount(pagesPerCpu) != 1) {
            throw new IllegalArgumentException("pages per CPU must be a power of two: " + pagesPerCpu);
        }
        if (handler == null) {
            throw new NullPointerException("handler");
        }
        return new PerfBuffer(LibbpfReader.perf(map.name(), map.fd(), pagesPerCpu, handler));
    }
}
