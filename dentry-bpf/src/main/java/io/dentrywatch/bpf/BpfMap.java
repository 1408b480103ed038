package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.NativeCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/** A map of a {@link BpfObject}. Size it before load; read it after load. */
public final class BpfMap {

    private final BpfObject object;
    private final String name;
    private final MemorySegment handle;

    BpfMap(BpfObject object, String name, MemorySegment handle) {
        this.object = object;
        this.name = name;
        this.handle = handle;
    }

    /** The map's name in the object. */
    public String name() {
        return name;
    }

    /**
     * The map's type.
     *
     * @return empty if the map's {@code enum bpf_map_type} value is none that {@link MapType} names
     */
    public Optional<MapType> type() {
        return MapType.of(typeNumber());
    }

    /** Whether the map is of that type. */
    boolean is(MapType type) {
        return typeNumber() == type.number();
    }

    /** The map's {@code enum bpf_map_type} value, named or not: {@link MapType#describe} says it in messages. */
    int typeNumber() {
        return NativeCall.invoke(() -> (int) Libbpf.MAP_TYPE.invokeExact(handle));
    }

    /** The key size in bytes. */
    public int keySize() {
        return NativeCall.invoke(() -> (int) Libbpf.MAP_KEY_SIZE.invokeExact(handle));
    }

    /** The value size in bytes (of one CPU's value, for per-CPU maps). */
    public int valueSize() {
        return NativeCall.invoke(() -> (int) Libbpf.MAP_VALUE_SIZE.invokeExact(handle));
    }

    /** The capacity in entries. */
    public int maxEntries() {
        return NativeCall.invoke(() -> (int) Libbpf.MAP_MAX_ENTRIES.invokeExact(handle));
    }

    /** Sets the capacity; only before the object is loaded. */
    public void setMaxEntries(int entries) {
        object.requireNotLoaded("resize map " + name);
        int rc = NativeCall.invoke(() -> (int) Libbpf.MAP_SET_MAX_ENTRIES.invokeExact(handle, entries));
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "set max_entries of map " + name + " to " + entries);
        }
    }

    /**
     * Sets the initial contents of a global-data map such as {@code .rodata} before load: the way to
     * hand constants to the programs so the verifier can prune the branches they rule out.
     *
     * @param value exactly the map's value size in bytes
     */
    public void setInitialValue(byte[] value) {
        object.requireNotLoaded("set initial value of map " + name);
        int rc = NativeCall.invoke(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment data = call.allocate(value.length);
                MemorySegment.copy(value, 0, data, ValueLayout.JAVA_BYTE, 0, value.length);
                return (int) Libbpf.MAP_SET_INITIAL_VALUE.invokeExact(handle, data, (long) value.length);
            }
        });
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "set initial value of map " + name + " (" + value.length
                    + " bytes; the map holds " + valueSize() + ")");
        }
    }

    /**
     * Writes one entry from user space ({@code bpf_map_update_elem}): to seed a map before the programs
     * run, or to fill one in a test or a benchmark. Only after {@link BpfObject#load()}.
     *
     * @param key   {@link #keySize()} bytes
     * @param value {@link #valueSize()} bytes; for a per-CPU map ({@link MapType#isPerCpu()}) one value
     *              per possible CPU ({@link PerCpuMapReader#possibleCpus()}), each
     *              {@code round_up(valueSize(), 8)} bytes apart, as the kernel lays them out for reads
     * @param flag  whether an existing entry is replaced, required or refused
     * @throws IllegalArgumentException if {@code key} or {@code value} is smaller than that
     * @throws BpfException             as the kernel answers: {@code E2BIG} when the map is full,
     *                                  {@code EEXIST} for {@link UpdateFlag#NOEXIST} on an existing key,
     *                                  {@code ENOENT} ({@link BpfException.NotFound}) for {@link UpdateFlag#EXIST}
     *                                  on a missing one
     */
    public void update(MemorySegment key, MemorySegment value, UpdateFlag flag) {
        long flags = flag.number();
        int fd = fd();
        int keySize = keySize();
        long valueBytes = valueBytes();
        if (key.byteSize() < keySize || value.byteSize() < valueBytes) {
            throw new IllegalArgumentException("map " + name + " needs a " + keySize + "-byte key and a " + valueBytes
                    + "-byte value; got " + key.byteSize() + " and " + value.byteSize() + " bytes");
        }
        int rc = NativeCall.invoke(() -> (int) Libbpf.MAP_UPDATE_ELEM.invokeExact(fd, key, value, flags));
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "update an entry of map " + name);
        }
    }

    /**
     * Writes {@code count} entries with one system call ({@code bpf_map_update_batch}, kernel 5.6+), keys and
     * values packed back to back, each entry created or replaced ({@code BPF_ANY}). For maps whose values are
     * not per CPU. Only after {@link BpfObject#load()}.
     *
     * @param keys   {@code count} keys of {@link #keySize()} bytes
     * @param values {@code count} values of {@link #valueSize()} bytes
     * @throws BpfException as the kernel answers ({@code EINVAL} before 5.6)
     */
    public void updateBatch(MemorySegment keys, MemorySegment values, int count) {
        int fd = fd();
        if (keys.byteSize() < (long) keySize() * count || values.byteSize() < valueBytes() * count) {
            throw new IllegalArgumentException("map " + name + ": " + count + " entries need " + (long) keySize() * count
                    + " bytes of keys and " + valueBytes() * count + " of values");
        }
        int rc = NativeCall.invoke(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment n = call.allocate(ValueLayout.JAVA_INT);
                n.set(ValueLayout.JAVA_INT, 0, count);
                return (int) Libbpf.MAP_UPDATE_BATCH.invokeExact(fd, keys, values, n, MemorySegment.NULL);
            }
        });
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "batch update of " + count + " entries of map " + name);
        }
    }

    /** The bytes of one value as user space reads and writes it: for per-CPU maps, one rounded-up value per possible CPU. */
    private long valueBytes() {
        boolean perCpu = type().map(MapType::isPerCpu).orElse(false);
        return perCpu ? ((valueSize() + 7L) & ~7L) * PerCpuMapReader.possibleCpus() : valueSize();
    }

    /** The map's file descriptor; valid while the object is open and loaded. */
    public int fd() {
        object.requireLoaded("map " + name);
        return NativeCall.invoke(() -> (int) Libbpf.MAP_FD.invokeExact(handle));
    }

    @Override
    public String toString() {
        return "map " + name;
    }
}
