package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.NativeCall;
import java.lang.foreign.MemorySegment;

/** A map of a {@link BpfObject}. Size it before load; read it after load. */
public final class BpfMap {

    /** {@code BPF_MAP_TYPE_PERCPU_HASH}. */
    public static final int TYPE_PERCPU_HASH = 5;
    /** {@code BPF_MAP_TYPE_PERCPU_ARRAY}. */
    public static final int TYPE_PERCPU_ARRAY = 6;

    /** {@code BPF_MAP_TYPE_LRU_PERCPU_HASH}. */
    public static final int TYPE_LRU_PERCPU_HASH = 10;

    /** {@link #update} flag {@code BPF_ANY}: create the entry or replace it. */
    public static final long UPDATE_ANY = 0;
    /** {@link #update} flag {@code BPF_NOEXIST}: create the entry only if it does not exist. */
    public static final long UPDATE_NOEXIST = 1;
    /** {@link #update} flag {@code BPF_EXIST}: replace the entry only if it exists. */
    public static final long UPDATE_EXIST = 2;

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

    /** The map's {@code enum bpf_map_type} value. */
    public int type() {
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
            try (java.lang.foreign.Arena call = java.lang.foreign.Arena.ofConfined()) {
                MemorySegment data = call.allocate(value.length);
                MemorySegment.copy(value, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, value.length);
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
     * @param value {@link #valueSize()} bytes; for a per-CPU map ({@link #TYPE_PERCPU_HASH},
     *              {@link #TYPE_PERCPU_ARRAY}, {@link #TYPE_LRU_PERCPU_HASH}) one value per possible CPU
     *              ({@link PerCpuMapReader#possibleCpus()}), each {@code round_up(valueSize(), 8)} bytes
     *              apart, as the kernel lays them out for reads
     * @param flags {@link #UPDATE_ANY}, {@link #UPDATE_NOEXIST} or {@link #UPDATE_EXIST}
     * @throws IllegalArgumentException if {@code key} or {@code value} is smaller than that
     * @throws BpfException             as the kernel answers: {@code E2BIG} when the map is full,
     *                                  {@code EEXIST} for {@code UPDATE_NOEXIST} on an existing key,
     *                                  {@code ENOENT} ({@link BpfException.NotFound}) for {@code UPDATE_EXIST}
     *                                  on a missing one
     */
    public void update(MemorySegment key, MemorySegment value, long flags) {
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

    /** The bytes of one value as user space reads and writes it: for per-CPU maps, one rounded-up value per possible CPU. */
    private long valueBytes() {
        int type = type();
        boolean perCpu = type == TYPE_PERCPU_HASH || type == TYPE_PERCPU_ARRAY || type == TYPE_LRU_PERCPU_HASH;
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
