package io.dentrywatch.core;

import java.util.Arrays;

/**
 * The core's {@link ContainerResolver}: the identity {@link CgroupPaths#parse(String)} reads from the
 * cgroup path, with no Kubernetes API. Pods are labelled by UID, containers by id.
 *
 * <p>Results are cached by cgroup id, so a repeated lookup is O(1) and allocates nothing. A cached
 * result is used only while the path given for the id stays the same. The cache is bounded: it
 * keeps at most twice {@code maxCachedCgroups} entries, dropping the ones not looked up for the
 * longest. Thread-safe.
 */
public final class PathContainerResolver implements ContainerResolver {

    /** The default bound of the cache: far more cgroups than a node runs at once. */
    public static final int DEFAULT_MAX_CACHED_CGROUPS = 16_384;

    private final CgroupIdCache<Resolved> cache;

    /** A resolver caching up to {@link #DEFAULT_MAX_CACHED_CGROUPS} recently used cgroups. */
    public PathContainerResolver() {
        this(DEFAULT_MAX_CACHED_CGROUPS);
    }

    /**
     * A resolver with a chosen cache bound.
     *
     * @param maxCachedCgroups how many cgroups one cache generation holds; at least 1
     * @throws IllegalArgumentException if {@code maxCachedCgroups} is less than 1
     */
    public PathContainerResolver(int maxCachedCgroups) {
        this.cache = new CgroupIdCache<>(maxCachedCgroups);
    }

    /** {@inheritDoc} Cached by cgroup id; parses the path only on the first lookup or when it changed. */
    @Override
    public ContainerIdentity resolve(long cgroupId, String cgroupPath) {
        Resolved cached = cache.get(cgroupId);
        if (cached != null && cached.path().equals(cgroupPath)) {
            return cached.identity();
        }
        ContainerIdentity identity = CgroupPaths.parse(cgroupPath);
        cache.put(cgroupId, new Resolved(cgroupPath, identity));
        return identity;
    }

    /** How many cgroups are cached now; for tests. */
    int cachedCgroups() {
        return cache.size();
    }

    /** A path and what it resolved to. */
    private record Resolved(String path, ContainerIdentity identity) {
    }

    /**
     * A map from cgroup id to value without boxing, bounded by two generations: when the young one
     * is full it becomes the old one, and a hit in the old one moves back to the young one.
     */
    static final class CgroupIdCache<V> {

        private final int capacity;
        private Table young;
        private Table old;

        CgroupIdCache(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("cache capacity must be at least 1, was " + capacity);
            }
            this.capacity = capacity;
            this.young = new Table(capacity);
            this.old = new Table(capacity);
        }

        synchronized V get(long id) {
            V value = young.get(id);
            if (value == null) {
                value = old.get(id);
                if (value != null) {
                    putYoung(id, value);
                }
            }
            return value;
        }

        synchronized void put(long id, V value) {
            putYoung(id, value);
        }

        synchronized int size() {
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
}
