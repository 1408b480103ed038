package io.dentrywatch.oom;

import io.dentrywatch.core.KernelTestSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.dentrywatch.bpf.BpfObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The decoder's offsets against {@code struct oom_event} as clang laid it out, read from the BTF of
 * the shipped object with bpftool: the C struct and {@link OomEvent} cannot drift apart unnoticed.
 * ({@code oom_perf.bpf.o} carries the struct in its BTF as a map value; {@code oom.bpf.o} compiles
 * the same header.)
 */
class OomEventLayoutTest {

    private static final Pattern STRUCT = Pattern.compile("STRUCT 'oom_event' size=(\\d+) vlen=(\\d+)\\n((?:\\s+'\\w+' .*\\n?)+)");
    private static final Pattern MEMBER = Pattern.compile("'(\\w+)' type_id=\\d+ bits_offset=(\\d+)");

    /**
     * A resource of dentry-bpf's package: on the module path it is encapsulated in io.dentrywatch.bpf, so
     * it is read with the module's reader there, and through the class loader on the class path.
     */
    private static InputStream bpfResource(String name) throws java.io.IOException {
        Module bpf = BpfObject.class.getModule();
        if (!bpf.isNamed()) {
            return BpfObject.class.getResourceAsStream(name);
        }
        java.lang.module.ModuleReference reference = bpf.getLayer().configuration().findModule(bpf.getName())
                .orElseThrow().reference();
        try (java.lang.module.ModuleReader reader = reference.open()) {
            java.util.Optional<InputStream> in = reader.open(BpfObject.class.getPackageName().replace('.', '/') + "/" + name);
            return in.isEmpty() ? null : new java.io.ByteArrayInputStream(in.get().readAllBytes());
        }
    }

    @Test
    void decoderOffsetsMatchTheCompiledStruct() throws Exception {
        Path bpftool = Path.of("/usr/sbin/bpftool");
        if (!Files.isExecutable(bpftool)) {
            KernelTestSupport.require(false, "bpftool is not installed (apt-get install bpftool)");
        }
        Path object = Files.createTempFile("oom_perf", ".bpf.o");
        try {
            try (InputStream in = bpfResource("oom_perf.bpf.o")) {
                assertNotNull(in, "oom_perf.bpf.o is in dentry-bpf");
                Files.write(object, in.readAllBytes());
            }
            Process p = new ProcessBuilder(bpftool.toString(), "btf", "dump", "file", object.toString())
                    .redirectErrorStream(true).start();
            String btf = new String(p.getInputStream().readAllBytes());
            p.waitFor(1, TimeUnit.MINUTES);
            Matcher s = STRUCT.matcher(btf);
            if (!s.find()) {
                throw new AssertionError("no struct oom_event in the BTF of oom_perf.bpf.o:\n" + btf);
            }
            Map<String, Long> offsets = new LinkedHashMap<>();
            Matcher m = MEMBER.matcher(s.group(3));
            while (m.find()) {
                offsets.put(m.group(1), Long.parseLong(m.group(2)) / 8);
            }
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
            assertEquals(expected, offsets);
            assertEquals(OomEvent.SIZE, Integer.parseInt(s.group(1)));
            assertEquals(OomEvent.PATH + (long) OomEvent.PATH_DEPTH * OomEvent.NAME_LEN, OomEvent.SIZE);
        } finally {
            Files.deleteIfExists(object);
        }
    }
}
