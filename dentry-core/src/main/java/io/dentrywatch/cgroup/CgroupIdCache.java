package io.dentrywatch.cgroup;

import java.util.Arrays;

/**
 * A map from cgroup id to value without boxing, for {@link ContainerResolver} implementations that
 * must answer in O(1) without allocating. Bounded by two generations: when the young one is full it
 * becomes the old one, and a hit in the old one moves back to the young one, so it holds at most
 * twice its capacity and cgroups still looked up survive. Thread-safe; get and put allocate nothing.
 *
 * @param <V> the cached value
 */
public final class CgroupIdCache<V> {

    private final int capacity;
    private Table young;
    private Table old;

    /**
     * @param capacity entries per generation; at least 1
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public CgroupIdCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.young = new Table(capacity);
        this.old = new Table(capacity);
    }

    /** The value cached for {@code id}, or {@code null}. */
    public synchronized V get(long id) {
        V value = young.get(id);
        if (value == null) {
            value = old.get(id);
            if (value != null) {
                putYoung(id, value);
            }
        }
        return value;
    }

    /** Caches {@code value} for {@code id}. */
    public synchronized void put(long id, V value) {
        putYoung(id, value);
    }

    /** Entries held now, in both generations. */
    public synchronized int size() {
        return young.size + old.size;
    }

    private void putYoung(long id, V value) {
        if (young.size >= capacity && !young.contains(id)) {
            Table emptied = old;
            emptied.clear();
            old = young;
            young = emptied;
        }
        young.put(id, value);
    }

    /** Open addressing with linear probing, at most half full; a null value marks a free slot. */
    private final class Table {
        private final long[] keys;
        private final Object[] values;
        private final int mask;
        private int size;

        Table(int capacity) {
            int length = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
            keys = new long[length];
            values = new Object[length];
            mask = length - 1;
        }

        @SuppressWarnings("unchecked")
        V get(long id) {
            for (int i = slot(id); values[i] != null; i = (i + 1) & mask) {
                if (keys[i] == id) {
                    return (V) values[i];
                }
            }
            return null;
        }

        boolean contains(long id) {
            return get(id) != null;
        }

        void put(long id, V value) {
            int i = slot(id);
            while (values[i] != null && keys[i] != id) {
                i = (i + 1) & mask;
            }
            if (values[i] == null) {
                size++;
            }
            keys[i] = id;
            values[i] = value;
        }

        void clear() {
            Arrays.fill(values, null);
            size = 0;
        }

        private int slot(long id) {
            // Murmur3's finaliser spreads sequential inode numbers over the table
            long h = id;
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            return (int) h & mask;
        }
    }
}
