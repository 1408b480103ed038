package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.LibbpfLibrary;
import io.dentrywatch.bpf.internal.LibbpfReader;

/**
 * A BPF ring buffer ({@code BPF_MAP_TYPE_RINGBUF}, kernel 5.8+) read through libbpf's
 * {@code ring_buffer} API. Records are handed to the {@link RecordHandler} in the order the programs
 * committed them. A program whose reservation fails (the buffer is full) must count that itself:
 * the kernel keeps no count of refused reservations.
 */
public final class RingBuffer extends LibbpfEventBuffer {

    private RingBuffer(LibbpfReader reader) {
        super(reader);
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
        if (!map.is(MapType.RINGBUF)) {
            throw new IllegalArgumentException(map + " is not a BPF ring buffer: " + MapType.describe(map.typeNumber())
                    + ", not " + MapType.describe(MapType.RINGBUF.number()));
        }
        if (handler == null) {
            throw new NullPointerException("handler");
        }
        return new RingBuffer(LibbpfReader.ring(map.name(), map.fd(), handler));
    }
}
