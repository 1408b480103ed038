package io.dentrywatch.core;

import io.dentrywatch.internal.probe.SourceProbes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What SourcesLedger reads of sources.bpf.c's map entries, and what SourceProbes writes to its .rodata,
 * against the BTF of the shipped {@code sources.bpf.o}.
 */
class SourcesObjectLayoutTest {

    private ShippedBtf btf;

    @BeforeEach
    void dump() throws Exception {
        btf = ShippedBtf.of(SourceProbes.OBJECT);
    }

    @Test
    void keyAndValueAreReadAtTheirOffsets() {
        ShippedBtf.Type key = btf.named("STRUCT", "source_key");
        assertEquals(SourcesLedger.KEY_SIZE, key.number("size"));
        assertEquals(Map.of("cgroup", (long) SourcesLedger.KEY_CGROUP, "ino", (long) SourcesLedger.KEY_INO,
                "dev", (long) SourcesLedger.KEY_DEV, "pad", 20L), btf.offsets(key));

        ShippedBtf.Type value = btf.named("STRUCT", "source_value");
        assertEquals(SourcesLedger.VALUE_SIZE, value.number("size"));
        Map<String, Long> offsets = new LinkedHashMap<>();
        offsets.put("lookups", (long) SourcesLedger.VALUE_LOOKUPS);
        offsets.put("unlinks", (long) SourcesLedger.VALUE_UNLINKS);
        offsets.put("depth", (long) SourcesLedger.VALUE_DEPTH);
        offsets.put("complete", (long) SourcesLedger.VALUE_COMPLETE);
        offsets.put("fstype", (long) SourcesLedger.VALUE_FSTYPE);
        offsets.put("sb_id", (long) SourcesLedger.VALUE_SB_ID);
        offsets.put("names", (long) SourcesLedger.VALUE_NAMES);
        assertEquals(offsets, btf.offsets(value));
        assertEquals(SourcesLedger.FSTYPE_LEN, btf.arrayLength(value, "fstype"));
        assertEquals(SourcesLedger.SB_ID_LEN, btf.arrayLength(value, "sb_id"));
        assertEquals(SourcesLedger.DEPTH, btf.arrayLength(value, "names"));
        assertEquals(SourcesLedger.VALUE_SIZE - SourcesLedger.VALUE_NAMES, (long) SourcesLedger.DEPTH * SourcesLedger.NAME_LEN);
    }

    @Test
    void statsAreInsertsThenFailedInserts() {
        assertEquals(Map.of("SOURCE_INSERTS", 0L, "SOURCE_INSERT_FAILED", 1L, "SOURCE_STATS", 2L),
                btf.enumerators("source_stat"));
    }

    @Test
    void configIsTheWholeRodata() {
        assertEquals(List.of("sources_config"), List.copyOf(btf.named("DATASEC", ".rodata").members().keySet()));
        ShippedBtf.Type config = btf.resolve(btf.named("VAR", "sources_config").number("type_id"));
        assertEquals(List.of("key_by_memcg"), List.copyOf(config.members().keySet()));
        assertEquals(config.number("size"), SourceProbes.config(true).length);
        assertEquals(1, SourceProbes.config(true)[0]);
        assertEquals(0, SourceProbes.config(false)[0]);
    }
}
