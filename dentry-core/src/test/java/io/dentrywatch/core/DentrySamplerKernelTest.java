package io.dentrywatch.core;

import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.host.ProcFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.bpf.BpfException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sampler against the running kernel: real BPF programs, real cgroups, known churn, and bpftrace
 * as the oracle. Runs on the host (tracepoint mode here) and in the VM matrix with the mode forced.
 */
@Tag("kernel")
class DentrySamplerKernelTest {

    private static final int LOOKUPS_A = 20_000;
    private static final int LOOKUPS_B = 5_000;

    private Path unified;

    @BeforeEach
    void preconditions() {
        unified = KernelTestSupport.requireRootAndUnifiedCgroup();
    }

    @Test
    void attributesAllocationsToTheCgroupsThatMadeThem() throws Exception {
        String parent = "dentrywatch-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        AttachMode forced = KernelTestSupport.attachMode();
        Optional<String> oracleProgram = BpftraceOracle.program();
        KernelTestSupport.require(BpftraceOracle.installed(), "bpftrace is not installed (apt-get install bpftrace)");
        Map<Long, Long> oracle = Map.of();
        java.util.Set<Integer> ours;
        long idA;
        long idB;
        DentrySample sample;
        try (DentrySampler sampler = DentrySampler.builder().attachMode(forced).cgroupKey(CgroupKey.V2).build();
             TestCgroup top = TestCgroup.create(unified, parent);
             TestCgroup a = TestCgroup.create(unified, parent + "/a");
             TestCgroup b = TestCgroup.create(unified, parent + "/b")) {
            assertNotEquals(AttachMode.NONE, sampler.mode(), "probes attached: " + sampler.info().degraded());
            if (forced != AttachMode.AUTO) {
                assertEquals(forced, sampler.mode());
            }
            idA = a.id();
            idB = b.id();
            if (oracleProgram.isPresent()) {
                try (BpftraceOracle bpftrace = BpftraceOracle.start(oracleProgram.get())) {
                    a.lookupMissing(LOOKUPS_A);
                    b.lookupMissing(LOOKUPS_B);
                    oracle = bpftrace.stop();
                }
            } else {
                a.lookupMissing(LOOKUPS_A);
                b.lookupMissing(LOOKUPS_B);
            }
            sample = sampler.sample();
            ours = KernelObjects.programIdsHeldByThisProcess();
            assertEquals(CgroupKey.V2, sampler.info().cgroupKey());
            assertEquals(a.path(), find(sample, idA).path());
            assertEquals(b.path(), find(sample, idB).path());
        }
        long countA = find(sample, idA).allocations();
        long countB = find(sample, idB).allocations();
        assertWithin(LOOKUPS_A, countA, "cgroup A");
        assertWithin(LOOKUPS_B, countB, "cgroup B");
        assertEquals(0, sample.mapFullDrops());
        if (!oracle.isEmpty()) {
            // the same events counted by a tool nobody here wrote
            assertEquals(oracle.getOrDefault(idA, 0L), countA, 2, "bpftrace's count for A: " + oracle);
            assertEquals(oracle.getOrDefault(idB, 0L), countB, 2, "bpftrace's count for B: " + oracle);
        }
        assertNothingOfOursRemains(ours);
    }

    @Test
    void warmMapReadAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // the map read of a sample alone, on the probes and reader a sampler opens
        try (OpenedProbes probes = OpenedProbes.open(KernelTestSupport.attachMode(), CgroupKey.AUTO, Map.of(), false)) {
            assertNotEquals(AttachMode.NONE, probes.probes().mode());
            for (int i = 0; i < 2_000; i++) {
                probes.read(); // warm up: JIT, table growth
            }
            // a window of 1,000 reads allocating 0 bytes proves no read allocates; several windows
            // tolerate a one-off allocation by the JIT in one of them
            List<Long> windows = new ArrayList<>();
            int rows = 0;
            for (int window = 0; window < 5 && !windows.contains(0L); window++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 1_000; i++) {
                    rows += probes.read();
                }
                windows.add(threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertTrue(rows > 0, "the map has entries");
            assertTrue(windows.contains(0L), "bytes allocated per window of 1,000 warm map reads: " + windows);
        }
    }

    @Test
    void aForcedModeTheKernelCannotDoFailsNamingWhatIsMissing() {
        if (Files.exists(Host.KPROBE_PMU)) {
            try (DentrySampler sampler = DentrySampler.builder().attachMode(AttachMode.KPROBE).build()) {
                assertEquals(AttachMode.KPROBE, sampler.mode());
            }
        } else {
            BpfException.NotSupported e = assertThrows(BpfException.NotSupported.class,
                    () -> DentrySampler.builder().attachMode(AttachMode.KPROBE).build());
            assertTrue(e.getMessage().contains("CONFIG_KPROBES"), e.getMessage());
        }
    }

    @Test
    void aSamplerWithoutPrivilegesServesTheNodeAndSaysWhy() throws Exception {
        List<String> out = childJvm(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all"), List.of());
        assertTrue(out.contains("mode=NONE"), out.toString());
        assertTrue(out.contains("cgroups=0"), out.toString());
        assertTrue(out.stream().anyMatch(l -> l.startsWith("nodeTotal=") && !l.equals("nodeTotal=0")), out.toString());
        assertTrue(out.stream().anyMatch(l -> l.startsWith("degraded=") && l.contains("CAP_BPF") && l.contains("CAP_PERFMON")),
                out.toString());
    }

    @Test
    void theDaemonSetsCapabilitiesAreEnough() throws Exception {
        // deploy/kubernetes/daemonset.yaml: uid 0 with every capability dropped but these four
        List<String> command = List.of("setpriv", "--bounding-set=-all,+bpf,+perfmon,+sys_resource,+syslog",
                "--inh-caps=-all");
        List<String> mode = List.of("-D" + KernelTestSupport.MODE_PROPERTY + "=" + KernelTestSupport.attachMode());
        if (KernelTestSupport.attachMode() == AttachMode.KPROBE
                && Integer.parseInt(ProcFiles.read(Path.of("/proc/sys/kernel/perf_event_paranoid")).strip()) > 2) {
            // Debian's kernels at their default paranoia 3 ask kprobe perf events for CAP_SYS_ADMIN: the forced
            // mode either works or fails saying so
            ChildJvm child = runChildJvm(command, mode);
            assertTrue(child.exit() == 0 || child.output().contains("perf_event_paranoid is ")
                    && child.output().contains("CAP_SYS_ADMIN"), child.output());
            if (child.exit() != 0) {
                return;
            }
        }
        List<String> out = childJvm(command, mode);
        try (DentrySampler root = DentrySampler.builder().attachMode(KernelTestSupport.attachMode()).build()) {
            assertTrue(out.contains("mode=" + root.mode()), "the mode root gets, " + root.mode() + ": " + out);
        }
        assertTrue(out.stream().noneMatch(l -> l.startsWith("degraded=")), out.toString());
        assertTrue(out.contains("oomWatching=true"), out.toString());
    }

    @Test
    void aMissingLibbpfNamesThePackageAndTheNodeIsStillServed() throws Exception {
        List<String> out = childJvm(List.of(), List.of("-Ddentrywatch.libbpf=/nonexistent/libbpf.so.1"));
        assertTrue(out.contains("mode=NONE"), out.toString());
        assertTrue(out.stream().anyMatch(l -> l.startsWith("degraded=") && l.contains("apt-get install libbpf1")), out.toString());
        assertTrue(out.stream().anyMatch(l -> l.startsWith("nodeTotal=") && !l.equals("nodeTotal=0")), out.toString());
    }

    @Test
    void closingDetachesEveryProbeEveryTime() throws Exception {
        for (int i = 0; i < 3; i++) {
            java.util.Set<Integer> ours;
            try (DentrySampler sampler = DentrySampler.builder().attachMode(KernelTestSupport.attachMode()).build()) {
                assertNotEquals(AttachMode.NONE, sampler.mode());
                ours = KernelObjects.programIdsHeldByThisProcess();
                assertTrue(!ours.isEmpty(), "an open sampler holds BPF programs: " + KernelObjects.bpfFds());
                sampler.sample();
            }
            assertNothingOfOursRemains(ours);
        }
    }

    /** No BPF fd stays open, and the kernel unloads the programs we held (after an RCU grace period). */
    private static void assertNothingOfOursRemains(java.util.Set<Integer> programIds) throws Exception {
        assertEquals(List.of(), KernelObjects.bpfFds(), "BPF file descriptors left open");
        java.util.Set<Integer> loaded = new java.util.TreeSet<>(programIds);
        for (int attempt = 0; attempt < 50 && !loaded.isEmpty(); attempt++) {
            loaded.retainAll(KernelObjects.loadedProgramIds());
            if (!loaded.isEmpty()) {
                Thread.sleep(100);
            }
        }
        assertEquals(java.util.Set.of(), loaded, "our programs (ids " + programIds + ") still loaded per bpftool prog show");
    }

    private static CgroupDentryCounts find(DentrySample sample, long id) {
        return sample.cgroups().stream().filter(c -> c.cgroupId() == id).findFirst()
                .orElseThrow(() -> new AssertionError("cgroup " + id + " not in sample " + sample.cgroups()));
    }

    /** At least one allocation per lookup, and no more than 3% (plus a few for the shell itself) over. */
    private static void assertWithin(long expected, long actual, String what) {
        assertTrue(actual >= expected && actual <= expected + expected * 3 / 100 + 20,
                what + ": expected " + expected + " allocations (+3%), sampler counted " + actual);
    }

    private record ChildJvm(int exit, String output) {
    }

    private static List<String> childJvm(List<String> prefix, List<String> jvmArgs) throws Exception {
        ChildJvm child = runChildJvm(prefix, jvmArgs);
        assertEquals(0, child.exit(), child.output());
        return List.of(child.output().split("\n"));
    }

    /**
     * How to start {@link SamplerProbeMain} the way this JVM runs the tests: on the module path (as
     * Surefire runs a module's tests: the test classes patched into io.dentrywatch.core) or on the
     * class path.
     */
    private static List<String> childLaunch() {
        Module module = SamplerProbeMain.class.getModule();
        String classPath = System.getProperty("java.class.path", "");
        if (!module.isNamed()) {
            return List.of("--enable-native-access=ALL-UNNAMED", "-cp", classPath, SamplerProbeMain.class.getName());
        }
        String testClasses = System.getProperty("dentrywatch.test.classes");
        assertTrue(testClasses != null, "the build passes dentrywatch.test.classes (the test classes' directory)");
        List<String> launch = new ArrayList<>(List.of("--enable-native-access=io.dentrywatch.bpf",
                "--module-path", bootLayerModulePath(),
                "--patch-module", module.getName() + "=" + testClasses,
                "--add-reads", module.getName() + "=ALL-UNNAMED"));
        if (!classPath.isEmpty()) {
            launch.addAll(List.of("-cp", classPath));
        }
        launch.addAll(List.of("-m", module.getName() + "/" + SamplerProbeMain.class.getName()));
        return launch;
    }

    /** Where the boot layer's application modules (not the JDK's) were found: this JVM's module path. */
    private static String bootLayerModulePath() {
        return ModuleLayer.boot().configuration().modules().stream()
                .map(m -> m.reference().location())
                .flatMap(java.util.Optional::stream)
                .filter(uri -> "file".equals(uri.getScheme()))
                .map(uri -> java.nio.file.Path.of(uri).toString())
                .distinct()
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static ChildJvm runChildJvm(List<String> prefix, List<String> jvmArgs) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // the parent's VM options (the VM matrix's C1-only, serial GC, AOT cache, not a training run's output)
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:") && !a.startsWith("-XX:AOTCacheOutput") && !a.startsWith("-XX:AOTConfiguration"))
                .forEach(command::add);
        command.addAll(jvmArgs);
        command.addAll(childLaunch());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "child JVM finished");
        return new ChildJvm(p.exitValue(), text);
    }
}
