package io.dentrywatch.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.LibbpfLibrary;
import io.dentrywatch.bpf.internal.NativeCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reads a per-CPU hash map with 8-byte keys and values made of 8-byte counters, summing each counter
 * over all possible CPUs, into a {@link CounterTable}. Batch lookups ({@code bpf_map_lookup_batch},
 * kernel 5.6+) are used where the kernel has them, key iteration otherwise. Every buffer is allocated
 * once, in the reader's own arena, so a warm {@link #read} allocates nothing. Not thread-safe.
 */
public final class PerCpuMapReader implements AutoCloseable {

    /** How the map is walked. */
    public enum Strategy {
        /** {@code bpf_map_lookup_batch}, falling back to {@link #ITERATE} on kernels before 5.6. */
        BATCH,
        /** {@code bpf_map_get_next_key} plus {@code bpf_map_lookup_elem} per key. */
        ITERATE
    }

    /** Entries per batch call at most. */
    private static final int MAX_CHUNK = 1024;
    /**
     * Bytes of per-CPU values one batch may take: an entry is {@code value_size} bytes per possible CPU (13.8 KB with
     * 9 counters on a 192-CPU node), so 1,024 entries would hold 14 MB of native memory there.
     */
    private static final long MAX_BATCH_BYTES = 1 << 20;
    /** Entries per batch call at least: far more than a hash bucket holds, which the kernel never splits. */
    private static final int MIN_CHUNK = 32;

    private final BpfMap map;
    private final int fd;
    private final int cpus;
    private final int fields;
    private final long stride;
    private final int chunk;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment keys;
    private final MemorySegment values;
    private final MemorySegment inBatch;
    private final MemorySegment outBatch;
    private final MemorySegment count;
    private final MemorySegment key;
    private final MemorySegment nextKey;
    private Strategy strategy;

    /**
     * A reader of {@code map}, with its buffers allocated.
     *
     * @param map      a loaded {@code BPF_MAP_TYPE_PERCPU_HASH} with 8-byte keys
     * @param strategy how to walk it
     */
    public PerCpuMapReader(BpfMap map, Strategy strategy) {
        this(map, strategy, 0);
    }

    /** A reader whose batches hold {@code batchEntries} entries; 0 sizes them by {@link #chunkFor}. */
    PerCpuMapReader(BpfMap map, Strategy strategy, int batchEntries) {
        if (!map.is(MapType.PERCPU_HASH) || map.keySize() != 8 || map.valueSize() % 8 != 0) {
            throw new IllegalArgumentException(map + " is not a per-CPU hash map with 8-byte keys and 8-byte counters");
        }
        this.map = map;
        this.fd = map.fd();
        this.cpus = possibleCpus();
        this.fields = map.valueSize() / 8;
        this.stride = map.valueSize(); // per-CPU values are laid out round_up(value_size, 8) apart
        this.chunk = batchEntries > 0 ? batchEntries : chunkFor(stride * cpus, map.maxEntries());
        this.keys = arena.allocate(8L * chunk, 8);
        this.values = arena.allocate(stride * cpus * chunk, 8);
        this.inBatch = arena.allocate(8, 8);
        this.outBatch = arena.allocate(8, 8);
        this.count = arena.allocate(4, 4);
        this.key = arena.allocate(8, 8);
        this.nextKey = arena.allocate(8, 8);
        this.strategy = strategy;
    }

    /**
     * Entries per batch call for entries of {@code entryBytes} (all CPUs' values) in a map of {@code maxEntries}: as
     * many as {@link #MAX_BATCH_BYTES} hold, between {@link #MIN_CHUNK} and {@link #MAX_CHUNK}, and never more than
     * the map holds.
     */
    static int chunkFor(long entryBytes, int maxEntries) {
        long fits = MAX_BATCH_BYTES / entryBytes;
        return (int) Math.min(maxEntries, Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, fits)));
    }

    /** The number of possible CPUs, the number of per-CPU slots the kernel returns per entry. */
    public static int possibleCpus() {
        LibbpfLibrary.require();
        int n = NativeCall.invoke(() -> (int) Libbpf.NUM_POSSIBLE_CPUS.invokeExact());
        if (n < 1) {
            throw BpfException.fromErrno(n, "read /sys/devices/system/cpu/possible");
        }
        return n;
    }

    /** Counters per entry. */
    public int fields() {
        return fields;
    }

    /** The strategy in use (a {@link Strategy#BATCH} reader switches to iteration on old kernels). */
    public Strategy strategy() {
        return strategy;
    }

    /**
     * Replaces the table's rows with the map's current entries, counters summed over CPUs.
     *
     * @return the number of entries read
     */
    public int read(CounterTable table) {
        if (table.fields() != fields) {
            throw new IllegalArgumentException("table has " + table.fields() + " fields, " + map + " has " + fields);
        }
        table.clear();
        if (strategy == Strategy.BATCH) {
            try {
                return readBatches(table);
            } catch (BatchUnsupported e) {
                strategy = Strategy.ITERATE;
                table.clear();
            } catch (BatchTooSmall e) {
                table.clear();
            }
        }
        return iterate(table);
    }

    private int readBatches(CounterTable table) {
        boolean first = true;
        while (true) {
            count.set(JAVA_INT, 0, chunk);
            MemorySegment from = first ? MemorySegment.NULL : inBatch;
            int rc;
            try {
                rc = (int) Libbpf.MAP_LOOKUP_BATCH.invokeExact(fd, from, outBatch,
                        keys, values, count, MemorySegment.NULL);
            } catch (Throwable t) {
                throw NativeCall.rethrow(t);
            }
            if (rc == -Errno.ENOSPC.number()) {
                throw new BatchTooSmall(); // a bucket holds more entries than a batch: this read walks key by key
            }
            if (rc < 0 && rc != -Errno.ENOENT.number()) {
                if (first && (rc == -Errno.EINVAL.number() || rc == -Errno.ENOTSUPP.number() || rc == -Errno.EOPNOTSUPP.number())) {
                    throw new BatchUnsupported();
                }
                throw BpfException.fromErrno(rc, "batch lookup of " + map);
            }
            int n = count.get(JAVA_INT, 0);
            for (int i = 0; i < n; i++) {
                sumRow(table, keys.getAtIndex(JAVA_LONG, i), values, i * stride * cpus);
            }
            if (rc == -Errno.ENOENT.number()) {
                return table.size();
            }
            MemorySegment.copy(outBatch, 0, inBatch, 0, 8);
            first = false;
        }
    }

    private int iterate(CounterTable table) {
        MemorySegment previous = MemorySegment.NULL;
        while (true) {
            int rc;
            try {
                rc = (int) Libbpf.MAP_GET_NEXT_KEY.invokeExact(fd, previous, nextKey);
            } catch (Throwable t) {
                throw NativeCall.rethrow(t);
            }
            if (rc == -Errno.ENOENT.number()) {
                return table.size();
            }
            if (rc < 0) {
                throw BpfException.fromErrno(rc, "iterate keys of " + map);
            }
            MemorySegment.copy(nextKey, 0, key, 0, 8);
            previous = key;
            try {
                rc = (int) Libbpf.MAP_LOOKUP_ELEM.invokeExact(fd, key, values);
            } catch (Throwable t) {
                throw NativeCall.rethrow(t);
            }
            if (rc == -Errno.ENOENT.number()) {
                continue; // deleted between the two calls
            }
            if (rc < 0) {
                throw BpfException.fromErrno(rc, "lookup in " + map);
            }
            sumRow(table, key.get(JAVA_LONG, 0), values, 0);
        }
    }

    private void sumRow(CounterTable table, long rowKey, MemorySegment source, long offset) {
        sumRow(table, rowKey, source, offset, cpus, stride, fields);
    }

    /** Adds one entry's per-CPU values, {@code stride} bytes apart, as one row of {@code fields} sums. */
    static void sumRow(CounterTable table, long rowKey, MemorySegment source, long offset, int cpus, long stride, int fields) {
        int row = table.addRow(rowKey);
        for (int cpu = 0; cpu < cpus; cpu++) {
            long base = offset + cpu * stride;
            for (int f = 0; f < fields; f++) {
                table.add(row, f, source.get(JAVA_LONG, base + 8L * f));
            }
        }
    }

    /**
     * Deletes one entry, for example a cgroup that no longer exists.
     *
     * @return {@code true} if it existed
     */
    public boolean delete(long entryKey) {
        key.set(JAVA_LONG, 0, entryKey);
        int rc = NativeCall.invoke(() -> (int) Libbpf.MAP_DELETE_ELEM.invokeExact(fd, key));
        if (rc == -Errno.ENOENT.number()) {
            return false;
        }
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "delete from " + map);
        }
        return true;
    }

    /** Frees the reader's buffers; the map itself belongs to its object. */
    @Override
    public void close() {
        arena.close();
    }

    /** A hash bucket holds more entries than one batch (ENOSPC). */
    private static final class BatchTooSmall extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BatchTooSmall() {
            super(null, null, false, false);
        }
    }

    /** The kernel predates batch map operations (5.6). */
    private static final class BatchUnsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BatchUnsupported() {
            super(null, null, false, false);
        }
    }
}
