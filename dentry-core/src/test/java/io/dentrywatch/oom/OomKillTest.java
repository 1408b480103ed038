package io.dentrywatch.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class OomKillTest {

    @Test
    void memoryIsAnImmutableCopyInTypeOrderAndAbsentTypesAreEmpty() {
        Map<MemoryType, Long> memory = new EnumMap<>(MemoryType.class);
        memory.put(MemoryType.PGTABLES, 8192L);
        memory.put(MemoryType.ANON_RSS, 1L << 26);
        OomKill kill = new OomKill(Instant.EPOCH, 1, 1, "x", 2, "/", OomScope.UNKNOWN, memory, 0);
        memory.put(MemoryType.FILE_RSS, 1L);
        assertEquals(List.of(MemoryType.ANON_RSS, MemoryType.PGTABLES), List.copyOf(kill.memory().keySet()));
        assertEquals(OptionalLong.of(1L << 26), kill.bytes(MemoryType.ANON_RSS));
        assertEquals(OptionalLong.empty(), kill.bytes(MemoryType.FILE_RSS));
        assertThrows(UnsupportedOperationException.class, () -> kill.memory().put(MemoryType.TOTAL_VM, 0L));
        assertTrue(new OomKill(Instant.EPOCH, 1, 1, "x", 2, "/", OomScope.UNKNOWN, Map.of(), 0).memory().isEmpty());
    }

    @Test
    void labelsAreTheMetricContractsMemoryTypes() {
        assertEquals(List.of("total_vm", "anon_rss", "file_rss", "shmem_rss", "pgtables"),
                java.util.Arrays.stream(MemoryType.values()).map(MemoryType::label).toList());
    }
}
