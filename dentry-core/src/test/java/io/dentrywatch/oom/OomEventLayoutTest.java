package io.dentrywatch.oom;

import io.dentrywatch.core.ShippedBtf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The decoder's offsets against {@code struct oom_event} as clang laid it out, read from the BTF of
 * the shipped object with bpftool: the C struct and {@link OomEvent} cannot drift apart unnoticed.
 * ({@code oom_perf.bpf.o} carries the struct in its BTF as a map value; {@code oom.bpf.o} compiles
 * the same header.)
 */
class OomEventLayoutTest {

    @Test
    void decoderOffsetsMatchTheCompiledStruct() throws Exception {
        ShippedBtf btf = ShippedBtf.of("oom_perf.bpf.o");
        ShippedBtf.Type struct = btf.named("STRUCT", "oom_event");
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("mono_ns", OomEvent.MONO_NS);
        expected.put("memcg_ino", OomEvent.MEMCG_INO);
        expected.put("dfl_ino", OomEvent.DFL_INO);
        expected.put("total_vm_pages", OomEvent.TOTAL_VM);
        expected.put("anon_rss_pages", OomEvent.ANON_RSS);
        expected.put("file_rss_pages", OomEvent.FILE_RSS);
        expected.put("shmem_rss_pages", OomEvent.SHMEM_RSS);
        expected.put("pgtables_bytes", OomEvent.PGTABLES);
        expected.put("known", OomEvent.KNOWN);
        expected.put("flags", OomEvent.FLAGS);
        expected.put("tgid", OomEvent.TGID);
        expected.put("tid", OomEvent.TID);
        expected.put("invoker_tid", OomEvent.INVOKER_TID);
        expected.put("oom_score_adj", OomEvent.OOM_SCORE_ADJ);
        expected.put("path_depth", OomEvent.PATH_DEPTH_OFFSET);
        expected.put("reserved", OomEvent.PATH_DEPTH_OFFSET + 1);
        expected.put("comm", OomEvent.COMM);
        expected.put("path", OomEvent.PATH);
        assertEquals(expected, btf.offsets(struct));
        assertEquals(OomEvent.SIZE, struct.number("size"));
        assertEquals(OomEvent.PATH + (long) OomEvent.PATH_DEPTH * OomEvent.NAME_LEN, OomEvent.SIZE);
    }
}
