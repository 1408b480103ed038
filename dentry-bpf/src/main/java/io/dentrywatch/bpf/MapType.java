package io.dentrywatch.bpf;

import java.util.Optional;

/**
 * The {@code enum bpf_map_type} values ({@code linux/bpf.h}) of the maps dentry-bpf's objects declare
 * and its readers expect, with the kernel's numbers. The constant's name is the uapi name without its
 * {@code BPF_MAP_TYPE_} prefix. {@link BpfMap#type()} names a map's type when it is one of these.
 */
public enum MapType {
    /** {@code BPF_MAP_TYPE_HASH}. */
    HASH(1, false),
    /** {@code BPF_MAP_TYPE_ARRAY}: also the type of the global-data maps {@code .rodata}, {@code .bss}, {@code .data}. */
    ARRAY(2, false),
    /** {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}: what a {@link PerfBuffer} reads. */
    PERF_EVENT_ARRAY(4, false),
    /** {@code BPF_MAP_TYPE_PERCPU_HASH}: what a {@link PerCpuMapReader} reads. */
    PERCPU_HASH(5, true),
    /** {@code BPF_MAP_TYPE_PERCPU_ARRAY}: what a {@link PerCpuArrayReader} reads. */
    PERCPU_ARRAY(6, true),
    /** {@code BPF_MAP_TYPE_LRU_HASH}. */
    LRU_HASH(9, false),
    /** {@code BPF_MAP_TYPE_LRU_PERCPU_HASH}. */
    LRU_PERCPU_HASH(10, true),
    /** {@code BPF_MAP_TYPE_RINGBUF} (kernel 5.8+): what a {@link RingBuffer} reads. */
    RINGBUF(27, false);

    private final int number;
    private final boolean perCpu;

    MapType(int number, boolean perCpu) {
        this.number = number;
        this.perCpu = perCpu;
    }

    /** The kernel's number for this type. */
    public int number() {
        return number;
    }

    /**
     * Whether a value holds one slot per possible CPU when user space reads or writes it, each
     * {@code round_up(value_size, 8)} bytes apart.
     */
    public boolean isPerCpu() {
        return perCpu;
    }

    /**
     * The map type of that number.
     *
     * @return empty if the number is none of these
     */
    public static Optional<MapType> of(int number) {
        for (MapType type : values()) {
            if (type.number == number) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /**
     * How messages name a map type number: {@code PERCPU_HASH (5)}, or {@code map type (12)} for a
     * number that is none of these.
     */
    static String describe(int number) {
        return of(number).map(MapType::name).orElse("map type") + " (" + number + ")";
    }
}
