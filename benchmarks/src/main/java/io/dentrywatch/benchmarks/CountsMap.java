package io.dentrywatch.benchmarks;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dentrywatch.bpf.BpfMap;
import io.dentrywatch.bpf.BpfObject;
import io.dentrywatch.bpf.PerCpuMapReader;
import io.dentrywatch.bpf.UpdateFlag;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * dentrywatch's own cgroup map ({@code cgroup_counts} of {@code dentry.bpf.o}: per-CPU hash, u64
 * cgroup id to five u64 counters) loaded alone — every program's autoload off, so nothing attaches
 * and nothing but this benchmark writes it — and filled from user space with {@code entries} entries.
 */
final class CountsMap implements AutoCloseable {

    /** The sampler's default capacity ({@code DentrySampler.Builder#mapCapacity}). */
    static final int DEFAULT_CAPACITY = 16_384;

    private final BpfObject object;
    private final BpfMap map;
    private final int entries;

    private CountsMap(BpfObject object, BpfMap map, int entries) {
        this.object = object;
        this.map = map;
        this.entries = entries;
    }

    /**
     * @param entries  how many cgroups the map holds
     * @param capacity its max_entries (the kernel sizes the hash table, and so the walk, by it)
     */
    static CountsMap create(int entries, int capacity) {
        if (capacity < entries) {
            throw new IllegalArgumentException("capacity " + capacity + " < entries " + entries);
        }
        BpfObject object = BpfObject.openResource("dentry.bpf.o");
        try {
            object.programs().forEach(p -> p.setAutoload(false));
            BpfMap map = object.map("cgroup_counts");
            map.setMaxEntries(capacity);
            object.load();
            fill(map, entries);
            return new CountsMap(object, map, entries);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** Capacity as the sampler would have it: its default, or more for more entries. */
    static CountsMap create(int entries) {
        return create(entries, Math.max(DEFAULT_CAPACITY, entries));
    }

    /** Ids spread like cgroup inode numbers; counters small and different on every CPU. */
    private static void fill(BpfMap map, int entries) {
        int cpus = PerCpuMapReader.possibleCpus();
        int fields = map.valueSize() / 8;
        SplittableRandom random = new SplittableRandom(42);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(8, 8);
            MemorySegment value = arena.allocate(8L * fields * cpus, 8);
            for (int i = 0; i < entries; i++) {
                key.set(JAVA_LONG, 0, 4096 + 7L * i);
                for (int slot = 0; slot < fields * cpus; slot++) {
                    value.setAtIndex(JAVA_LONG, slot, random.nextLong(1_000_000));
                }
                map.update(key, value, UpdateFlag.NOEXIST);
            }
        }
    }

    BpfMap map() {
        return map;
    }

    int entries() {
        return entries;
    }

    @Override
    public void close() {
        object.close();
    }
}
