package io.dentrywatch.oom;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoding {@code struct oom_event} as the BPF program writes it (offsets from oom.h, checked against its BTF in OomEventLayoutTest). */
class OomEventTest {

    /** A record at an address that is only 4-byte aligned, as a perf buffer hands them over. */
    private static MemorySegment record(Arena arena, long size) {
        return arena.allocate(size + 12, 8).asSlice(4, size);
    }

    private static void name(MemorySegment record, long offset, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, record, JAVA_BYTE, offset, bytes.length);
    }

    private static MemorySegment kill(Arena arena, long size) {
        MemorySegment r = record(arena, size);
        r.set(JAVA_LONG_UNALIGNED, 0, 123_456_789L);               // mono_ns
        r.set(JAVA_LONG_UNALIGNED, 8, 4242);                       // memcg_ino
        r.set(JAVA_LONG_UNALIGNED, 16, 1);                         // dfl_ino
        r.set(JAVA_LONG_UNALIGNED, 24, 67_507);                    // total_vm_pages
        r.set(JAVA_LONG_UNALIGNED, 32, 16_288);                    // anon_rss_pages
        r.set(JAVA_LONG_UNALIGNED, 40, 742);                       // file_rss_pages
        r.set(JAVA_LONG_UNALIGNED, 48, 0);                         // shmem_rss_pages
        r.set(JAVA_LONG_UNALIGNED, 56, 196_608);                   // pgtables_bytes
        r.set(JAVA_INT_UNALIGNED, 64, 0x7f);                       // known: everything
        r.set(JAVA_INT_UNALIGNED, 68, 1 | 2 | 8);                  // killed, memcg scope, v1 memory path
        r.set(JAVA_INT_UNALIGNED, 72, 5155);                       // tgid
        r.set(JAVA_INT_UNALIGNED, 76, 5156);                       // tid
        r.set(JAVA_INT_UNALIGNED, 80, 5160);                       // invoker_tid
        r.set(JAVA_SHORT_UNALIGNED, 84, (short) -998);             // oom_score_adj
        r.set(JAVA_BYTE, 86, (byte) 3);                            // path_depth
        name(r, 88, "java");                                       // comm
        name(r, 104, "cri-containerd-0123.scope");                 // path[0]: the leaf
        name(r, 104 + 128, "kubepods-burstable-pod1_2.slice");
        name(r, 104 + 256, "kubepods.slice");
        return r;
    }

    @Test
    void decodesEveryFieldOfAnUnalignedRecord() {
        try (Arena arena = Arena.ofConfined()) {
            OomEvent e = OomEvent.decode(kill(arena, 1384));
            assertEquals(123_456_789L, e.monoNanos());
            assertEquals(5155, e.tgid());
            assertEquals(5156, e.tid());
            assertEquals(5160, e.invokerTid());
            assertEquals(-998, e.oomScoreAdj());
            assertEquals("java", e.comm());
            assertTrue(e.killed());
            assertEquals(OomScope.MEMORY_CGROUP, e.scope());
            assertTrue(e.inMemoryV1Hierarchy());
            assertEquals(4242, e.cgroupId(), "the id in the hierarchy the path is in");
            assertTrue(e.pathComplete());
            assertEquals("/kubepods.slice/kubepods-burstable-pod1_2.slice/cri-containerd-0123.scope", e.path());
            assertEquals(Map.of(
                    MemoryType.TOTAL_VM, 67_507L * 4096,
                    MemoryType.ANON_RSS, 16_288L * 4096,
                    MemoryType.FILE_RSS, 742L * 4096,
                    MemoryType.SHMEM_RSS, 0L,
                    MemoryType.PGTABLES, 196_608L), e.memoryBytes(4096));
            assertEquals(16_288L * 65536, e.memoryBytes(65536).get(MemoryType.ANON_RSS), "pages times the page size");
        }
    }

    @Test
    void unknownMemoryIsAbsentNotZero() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = kill(arena, 1384);
            r.set(JAVA_INT_UNALIGNED, 64, 0x40 | 0x1);             // task and total_vm only
            assertEquals(Map.of(MemoryType.TOTAL_VM, 67_507L * 4096), OomEvent.decode(r).memoryBytes(4096));
        }
    }

    @Test
    void theV2HierarchyAndTheOtherScopes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = kill(arena, 1384);
            r.set(JAVA_INT_UNALIGNED, 68, 1 | 4);                  // killed, global, v2 path
            OomEvent global = OomEvent.decode(r);
            assertEquals(OomScope.GLOBAL, global.scope());
            assertFalse(global.inMemoryV1Hierarchy());
            assertEquals(1, global.cgroupId());
            r.set(JAVA_INT_UNALIGNED, 68, 0);                      // marked while exiting, no reclaim seen
            OomEvent marked = OomEvent.decode(r);
            assertFalse(marked.killed());
            assertEquals(OomScope.UNKNOWN, marked.scope());
        }
    }

    @Test
    void theRootCgroupAndIncompletePaths() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = kill(arena, 1384);
            r.set(JAVA_BYTE, 86, (byte) 0);
            assertEquals("/", OomEvent.decode(r).path());
            assertEquals(List.of(), OomEvent.decode(r).pathLeafFirst());
            r.set(JAVA_INT_UNALIGNED, 68, 1 | 16);                 // truncated
            assertFalse(OomEvent.decode(r).pathComplete());
            r.set(JAVA_INT_UNALIGNED, 68, 1);
            r.set(JAVA_INT_UNALIGNED, 64, 0);                      // victim unknown
            assertFalse(OomEvent.decode(r).pathComplete());
        }
    }

    @Test
    void aNameThatFillsItsWholeSlotIsReadWithoutRunningOver() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = kill(arena, 1384);
            r.set(JAVA_BYTE, 86, (byte) 1);
            name(r, 104, "n".repeat(128));
            name(r, 104 + 128, "next");
            name(r, 88, "fifteen-chars-x" + "y");                  // 16 bytes, no NUL
            OomEvent e = OomEvent.decode(r);
            assertEquals("/" + "n".repeat(128), e.path());
            assertEquals("fifteen-chars-xy", e.comm());
        }
    }

    @Test
    void perfBufferPaddingIsAcceptedOtherSizesAreNot() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(5155, OomEvent.decode(kill(arena, 1388)).tgid(), "padded to whole u64s with the u32 size");
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> OomEvent.decode(kill(arena, 1376)));
            assertTrue(small.getMessage().contains("different versions"), small.getMessage());
            assertThrows(IllegalArgumentException.class, () -> OomEvent.decode(kill(arena, 1392)));
        }
    }
}
