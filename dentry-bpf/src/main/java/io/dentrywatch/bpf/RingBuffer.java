package io.dentrywatch.bpf;

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
public final class RingBuffer extends LibbpfReader implements EventBuffer {

    /** {@code BPF_MAP_TYPE_RINGBUF}. */
    public static final int MAP_TYPE = 27;

    private static final MethodHandle SAMPLE;

    static {
        try {
            SAMPLE = MethodHandles.lookup().findVirtual(RingBuffer.class, "sample",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private RingBuffer(BpfMap map, int fd, RecordHandler handler) {
        super("ring buffer " + map.name(), "create a ring buffer reader on map " + map.name(), handler,
                LibbpfEvents.RING_BUFFER_POLL, LibbpfEvents.RING_BUFFER_FREE,
                (owner, arena, state) -> (MemorySegment) LibbpfEvents.RING_BUFFER_NEW.invokeExact(state, fd,
                        Linker.nativeLinker().upcallStub(SAMPLE.bindTo(owner), LibbpfEvents.RING_SAMPLE, arena),
                        MemorySegment.NULL, MemorySegment.NULL));
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

    /** The sample upcall. */
    private int sample(MemorySegment context, MemorySegment data, long size) {
        deliver(data, size);
        return 0;
    }
}
