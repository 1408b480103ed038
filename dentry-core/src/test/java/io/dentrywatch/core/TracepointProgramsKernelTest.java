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
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tracepoint mode's two program variants: BTF-typed (tp_btf, tried first) and raw tracepoints (the
 * fallback). Both attached at once count the same churn in the same cgroup, under either cgroup key.
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
        try (DentrySampler btf = sampler(key).build();
             DentrySampler raw = sampler(key).rawTracepoints().build();
             TestCgroup cg = TestCgroup.create(hierarchy, name)) {
            assertTrue(raw.programs().contains("tp_kmem_cache_alloc"), raw.programs().toString());
            assertEquals(Files.exists(Host.VMLINUX_BTF), btf.programs().contains("btf_kmem_cache_alloc"),
                    "tp_btf programs wherever the kernel has BTF: " + btf.programs());
            cg.lookupMissing(LOOKUPS);
            long viaBtf = allocations(btf.sample(), cg.id());
            long viaRaw = allocations(raw.sample(), cg.id());
            System.out.printf("tracepoint mode by %s cgroup: %s counted %d, %s counted %d%n",
                    key, btf.programs(), viaBtf, raw.programs(), viaRaw);
            DentryLifecycleKernelTest.assertWithin(LOOKUPS, viaBtf, btf.programs() + " allocations");
            assertEquals(viaRaw, viaBtf, "both variants saw the same allocations of the cgroup");
        }
    }

    private static DentrySampler.Builder sampler(CgroupKey key) {
        return DentrySampler.builder().attachMode(AttachMode.TRACEPOINT).cgroupKey(key);
    }

    private static long allocations(DentrySample sample, long id) {
        return sample.cgroups().stream().filter(c -> c.cgroupId() == id).mapToLong(CgroupDentryCounts::allocations)
                .findFirst().orElseThrow(() -> new AssertionError("cgroup " + id + " not in " + sample.cgroups()));
    }
}
