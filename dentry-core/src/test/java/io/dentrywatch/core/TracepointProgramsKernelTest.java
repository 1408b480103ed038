package io.dentrywatch.core;

import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.host.KernelRelease;
import io.dentrywatch.internal.host.ProcFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.bpf.BpfException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tracepoint mode's two program variants: BTF-typed (tp_btf, tried first) and raw tracepoints (the
 * fallback). Both attached at once count the same churn in the same cgroup, under either cgroup key.
 * The probes are opened directly: a sampler never asks for raw tracepoints where tp_btf works.
 */
@Tag("kernel")
class TracepointProgramsKernelTest {

    private static final int LOOKUPS = 5_000;

    private Path unified;
    private String name;
    private KernelRelease kernel;

    @BeforeEach
    void preconditions() {
        unified = KernelTestSupport.requireRootAndUnifiedCgroup();
        name = "dentrywatch-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        kernel = KernelRelease.parse(ProcFiles.read(Path.of("/proc/sys/kernel/osrelease")));
    }

    @Test
    void btfAndRawProgramsCountTheSameAllocationsByV2Cgroup() throws Exception {
        compare(CgroupKey.V2, unified);
    }

    @Test
    void btfAndRawProgramsCountTheSameAllocationsByMemoryCgroup() throws Exception {
        Path hierarchy = KernelTestSupport.memoryCgroupParent(unified, name);
        try {
            compare(CgroupKey.MEMORY, hierarchy);
        } finally {
            if (hierarchy.startsWith(unified)) {
                Files.deleteIfExists(hierarchy);
            }
        }
    }

    private void compare(CgroupKey key, Path hierarchy) throws Exception {
        if (!kernel.atLeast(6, 1)) {
            // the slab tracepoints carry the cache from 6.1: older kernels refuse the mode, saying so
            BpfException e = assertThrows(BpfException.NotSupported.class, () -> sampler(key).build());
            assertTrue(e.getMessage().contains("6.1"), e.getMessage());
            return;
        }
        try (OpenedProbes btf = OpenedProbes.open(AttachMode.TRACEPOINT, key, Map.of(), false);
             OpenedProbes raw = OpenedProbes.open(AttachMode.TRACEPOINT, key, Map.of(), true);
             TestCgroup cg = TestCgroup.create(hierarchy, name)) {
            List<String> btfPrograms = btf.probes().programs();
            List<String> rawPrograms = raw.probes().programs();
            assertTrue(rawPrograms.contains("tp_kmem_cache_alloc"), rawPrograms.toString());
            assertEquals(Files.exists(Host.VMLINUX_BTF), btfPrograms.contains("btf_kmem_cache_alloc"),
                    "tp_btf programs wherever the kernel has BTF: " + btfPrograms);
            cg.lookupMissing(LOOKUPS);
            long viaBtf = btf.allocations(cg.id());
            long viaRaw = raw.allocations(cg.id());
            System.out.printf("tracepoint mode by %s cgroup: %s counted %d, %s counted %d%n",
                    key, btfPrograms, viaBtf, rawPrograms, viaRaw);
            DentryLifecycleKernelTest.assertWithin(LOOKUPS, viaBtf, btfPrograms + " allocations");
            assertEquals(viaRaw, viaBtf, "both variants saw the same allocations of the cgroup");
        }
    }

    private static DentrySampler.Builder sampler(CgroupKey key) {
        return DentrySampler.builder().attachMode(AttachMode.TRACEPOINT).cgroupKey(key);
    }
}
