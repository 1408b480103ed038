package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.NativeCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Walks a hash map whose values are not per CPU ({@code BPF_MAP_TYPE_HASH}, {@code BPF_MAP_TYPE_LRU_HASH})
 * with {@code bpf_map_get_next_key} and {@code bpf_map_lookup_elem}, handing each entry's key and value
 * to a visitor. The key and value buffers are allocated once; a walk allocates nothing itself. A walk
 * visits at most {@link BpfMap#maxEntries()} entries: an entry deleted under it (an LRU eviction) can
 * make the kernel restart from the first key, so a key may be seen twice and the visitor must tolerate
 * that. Not thread-safe.
 */
public final class HashMapReader implements AutoCloseable {

    /** What to do with one entry; the segments are valid only during the call. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * One entry.
         *
         * @param key   {@link BpfMap#keySize()} bytes
         * @param value {@link BpfMap#valueSize()} bytes
         */
        void entry(MemorySegment key, MemorySegment value);
    }

    private final BpfMap map;
    private final int fd;
    private final int maxEntries;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment key;
    private final MemorySegment nextKey;
    private final MemorySegment value;

    /**
     * A reader of {@code map}, with its buffers allocated.
     *
     * @param map a loaded map of {@code HASH} or {@code LRU_HASH} type
     */
    public HashMapReader(BpfMap map) {
        if (!map.is(MapType.HASH) && !map.is(MapType.LRU_HASH)) {
            throw new IllegalArgumentException(map + " is not a hash map (HASH or LRU_HASH): " + map.type());
        }
        this.map = map;
        this.fd = map.fd();
        this.maxEntries = map.maxEntries();
        this.key = arena.allocate(map.keySize(), 8);
        this.nextKey = arena.allocate(map.keySize(), 8);
        this.value = arena.allocate(map.valueSize(), 8);
    }

    /**
     * Visits the map's entries.
     *
     * @return the entries visited
     */
    public int read(Visitor visitor) {
        MemorySegment previous = MemorySegment.NULL;
        int visited = 0;
        while (visited < maxEntries) {
            MemorySegment from = previous;
            int rc = NativeCall.invoke(() -> (int) Libbpf.MAP_GET_NEXT_KEY.invokeExact(fd, from, nextKey));
            if (rc == -Errno.ENOENT.number()) {
                break;
            }
            if (rc < 0) {
                throw BpfException.fromErrno(rc, "iterate keys of " + map);
            }
            MemorySegment.copy(nextKey, 0, key, 0, key.byteSize());
            previous = key;
            rc = NativeCall.invoke(() -> (int) Libbpf.MAP_LOOKUP_ELEM.invokeExact(fd, key, value));
            if (rc == -Errno.ENOENT.number()) {
                continue; // deleted or evicted between the two calls
            }
            if (rc < 0) {
                throw BpfException.fromErrno(rc, "lookup in " + map);
            }
            visitor.entry(key, value);
            visited++;
        }
        return visited;
    }

    /** Frees the reader's buffers; the map itself belongs to its object. */
    @Override
    public void close() {
        arena.close();
    }
}
