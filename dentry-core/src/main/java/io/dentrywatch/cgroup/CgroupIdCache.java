package io.dentrywatch.cgroup;

import java.util.Arrays;

/**
 * A map from cgroup id to value without boxing, for {@link ContainerResolver} implementations that
 * must answer in O(1) without allocating. Bounded by two generations: when the young one is full it
 * becomes the old one, and a hit in the old one moves back to the young one, so it holds at most
 * twice its capacity and cgroups still looked up survive. A generation's table starts small and doubles as it
 * fills, up to what its capacity needs: a bound of 16,384 on a node of 1,000 cgroups holds 1,000 cgroups' worth,
 * not 768 KB of empty slots. Thread-safe; get allocates nothing, nor does put once the tables have grown.
 *
 * @param <V> the cached value
 */
public final class CgroupIdCache<V> {

    /** The first table's slots: grown from, so a cache of a few cgroups stays a few hundred bytes. */
    static final int INITIAL_SLOTS = 64;

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

    /** Slots allocated now, in both generations' tables. */
    synchronized int slots() {
        return young.keys.length + old.keys.length;
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
        private final int maxSlots;
        private long[] keys;
        private Object[] values;
        private int mask;
        private int size;

        Table(int capacity) {
            // twice the capacity, a power of two: a full generation is at most half full
            maxSlots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
            allocate(Math.min(INITIAL_SLOTS, maxSlots));
        }

        private void allocate(int slots) {
            keys = new long[slots];
            values = new Object[slots];
            mask = slots - 1;
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
            if ((size + 1) * 2 > keys.length && keys.length < maxSlots && !contains(id)) {
                grow();
            }
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

        /** Doubles the table, moving every entry (at most half full, so put does not grow it again). */
        @SuppressWarnings("unchecked")
        private void grow() {
            long[] oldKeys = keys;
            Object[] oldValues = values;
            allocate(keys.length * 2);
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldValues[i] != null) {
                    put(oldKeys[i], (V) oldValues[i]);
                }
            }
        }

        /** Empties the table; it keeps the slots it grew to, as the generation after it fills as far. */
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
