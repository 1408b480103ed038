package io.dentrywatch.bpf;

import java.util.Arrays;

/**
 * Rows of a per-CPU counter map after summing across CPUs: a {@code long} key and a fixed number of
 * {@code long} counters per row, in flat arrays reused from read to read so steady-state reads
 * allocate nothing. Not thread-safe.
 */
public final class CounterTable {

    private final int fields;
    private long[] keys;
    private long[] values;
    private int size;

    /**
     * @param fields   counters per row (the map value's size divided by 8)
     * @param capacity rows to allocate up front; the table grows if a read returns more
     */
    public CounterTable(int fields, int capacity) {
        if (fields < 1 || capacity < 1) {
            throw new IllegalArgumentException("fields and capacity must be positive: " + fields + ", " + capacity);
        }
        this.fields = fields;
        this.keys = new long[capacity];
        this.values = new long[capacity * fields];
    }

    /** Counters per row. */
    public int fields() {
        return fields;
    }

    /** Rows filled by the last read. */
    public int size() {
        return size;
    }

    /** The key of row {@code row}. */
    public long key(int row) {
        return keys[row];
    }

    /** Counter {@code field} of row {@code row}, summed over all CPUs. */
    public long value(int row, int field) {
        return values[row * fields + field];
    }

    /** Empties the table, keeping its arrays. */
    public void clear() {
        size = 0;
    }

    /** Starts a new row and returns its index; its counters start at zero. Readers (and tests) fill tables. */
    public int addRow(long key) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2 * fields);
        }
        keys[size] = key;
        Arrays.fill(values, size * fields, (size + 1) * fields, 0L);
        return size++;
    }

    /** Adds {@code delta} to counter {@code field} of row {@code row}. */
    public void add(int row, int field, long delta) {
        values[row * fields + field] += delta;
    }
}
