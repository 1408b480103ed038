package io.dentrywatch.core;

import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.probe.DentryProbes;
import io.dentrywatch.internal.probe.NodeCounter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Java side says of dentry.bpf.c's layouts against the BTF of the shipped {@code dentry.bpf.o}:
 * the per-cgroup slots ({@link DentryCounter} against {@code enum counter} and {@code struct dentry_counts}),
 * the node slots ({@link NodeCounter} against {@code enum node_counter} and {@code struct node_counts} with
 * its histogram), and what {@link DentryProbes#config} writes against {@code struct dentry_config}, the
 * whole of {@code .rodata}.
 */
class DentryObjectLayoutTest {

    private ShippedBtf btf;

    @BeforeEach
    void dump() throws Exception {
        btf = ShippedBtf.of(DentryProbes.OBJECT);
    }

    @Test
    void perCgroupSlotsAreEnumCounter() {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (DentryCounter counter : DentryCounter.perCgroupCounters()) {
            expected.put(counter.name(), (long) counter.slot());
        }
        expected.put("COUNTERS", (long) DentryCounter.cgroupSlots());
        assertEquals(expected, btf.enumerators("counter"));

        ShippedBtf.Type value = btf.named("STRUCT", "dentry_counts");
        assertEquals(Map.of("n", 0L, "slots", 8L * DentryCounter.cgroupSlots()), btf.offsets(value));
        assertEquals(DentryCounter.cgroupSlots(), btf.arrayLength(value, "n"));
        assertEquals(0, btf.arrayLength(value, "slots"), "slots names n's slots and holds nothing");
        assertEquals(8L * DentryCounter.cgroupSlots(), value.number("size"));
    }

    @Test
    void nodeSlotsAreEnumNodeCounterAndTheHistogramFollows() {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (NodeCounter counter : NodeCounter.values()) {
            expected.put("NODE_" + counter.name(), (long) counter.ordinal());
        }
        expected.put("NODE_COUNTERS", (long) NodeCounter.values().length);
        assertEquals(expected, btf.enumerators("node_counter"));

        ShippedBtf.Type value = btf.named("STRUCT", "node_counts");
        long counters = 8L * NodeCounter.values().length;
        assertEquals(Map.of("n", 0L, "reclaim_latency", counters, "slots", 8L * NodeCounter.VALUE_LONGS),
                btf.offsets(value));
        assertEquals(NodeCounter.values().length, btf.arrayLength(value, "n"));
        assertEquals(NodeCounter.LATENCY_BUCKETS, btf.arrayLength(value, "reclaim_latency"));
        assertEquals(0, btf.arrayLength(value, "slots"), "slots names n's slots and holds nothing");
        assertEquals(8L * NodeCounter.VALUE_LONGS, value.number("size"));
    }

    @Test
    void configIsTheWholeRodataAndWrittenAtItsOffsets() {
        assertEquals(List.of("config"), List.copyOf(btf.named("DATASEC", ".rodata").members().keySet()),
                "DentryProbes.config() writes the whole of .rodata");
        ShippedBtf.Type config = btf.resolve(btf.named("VAR", "config").number("type_id"));
        assertEquals("dentry_config", config.name());
        assertEquals(List.of("key_by_memcg", "memcg_ids", "super_cache_scan", "page_offset_base", "vmemmap_base"),
                List.copyOf(config.members().keySet()));
        long superCacheScan = 0x0123_4567_89ab_cdefL;
        long pageOffsetBase = 0xffff_ffff_8123_4560L;
        long vmemmapBase = 0xffff_ffff_8765_4320L;
        for (boolean keyByMemcg : new boolean[] {true, false}) {
            boolean memcgIds = !keyByMemcg;
            ByteBuffer expected = ByteBuffer.allocate((int) config.number("size")).order(ByteOrder.nativeOrder());
            expected.put((int) config.offset("key_by_memcg"), (byte) (keyByMemcg ? 1 : 0));
            expected.put((int) config.offset("memcg_ids"), (byte) (memcgIds ? 1 : 0));
            expected.putLong((int) config.offset("super_cache_scan"), superCacheScan);
            expected.putLong((int) config.offset("page_offset_base"), pageOffsetBase);
            expected.putLong((int) config.offset("vmemmap_base"), vmemmapBase);
            DentryProbes.Options options = new DentryProbes.Options(1, keyByMemcg, memcgIds,
                    Host.read(Path.of("/proc")), Map.of(), false);
            assertArrayEquals(expected.array(), DentryProbes.config(options, superCacheScan, pageOffsetBase, vmemmapBase),
                    "keyByMemcg " + keyByMemcg + ", memcgIds " + memcgIds);
        }
    }
}
