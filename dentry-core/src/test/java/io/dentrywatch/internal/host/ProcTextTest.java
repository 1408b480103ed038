package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Capabilities, mountinfo and kernel release parsing. */
class ProcTextTest {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    @Test
    void rootHasEveryTracingCapability() {
        Capabilities caps = Capabilities.parseStatus("Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n", STATUS);
        assertTrue(caps.canTrace());
    }

    @Test
    void bpfAndPerfmonWithoutSysAdminCanTrace() {
        long bpfPerfmon = (1L << Capabilities.CAP_BPF) | (1L << Capabilities.CAP_PERFMON);
        Capabilities caps = Capabilities.parseStatus("CapEff:\t" + Long.toHexString(bpfPerfmon) + "\n", STATUS);
        assertTrue(caps.canTrace());
    }

    @Test
    void anUnprivilegedProcessIsToldWhichCapabilitiesAreMissing() {
        Capabilities caps = Capabilities.parseStatus("CapEff:\t0000000000000000\n", STATUS);
        assertFalse(caps.canTrace());
        String missing = caps.missingForTracing("tests need");
        assertTrue(missing.contains("no CAP_BPF, no CAP_PERFMON"), missing);
    }

    @Test
    void statusWithoutCapEffIsMalformed() {
        assertThrows(MalformedProcFileException.class, () -> Capabilities.parseStatus("Name:\tjava\n", STATUS));
        assertThrows(MalformedProcFileException.class, () -> Capabilities.parseStatus("CapEff:\tzz\n", STATUS));
    }

    @Test
    void hybridHostWithUnifiedBesideV1() {
        String mountinfo = """
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
                35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory
                40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """;
        CgroupMounts m = CgroupMounts.parse(mountinfo, MOUNTINFO);
        assertEquals("hybrid", m.mode());
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), m.unified());
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/memory")), m.memory());
    }

    @Test
    void pureV2Host() {
        String mountinfo = "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
        CgroupMounts m = CgroupMounts.parse(mountinfo, MOUNTINFO);
        assertEquals("v2", m.mode());
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup")), m.unified());
        assertEquals(Optional.empty(), m.memory());
    }

    @Test
    void pureV1HostAndEscapedMountPoints() {
        String mountinfo = "35 31 0:32 / /sys/fs/cgroup/memory\\040x rw,relatime - cgroup cgroup rw,memory,nosuid\n";
        CgroupMounts m = CgroupMounts.parse(mountinfo, MOUNTINFO);
        assertEquals("v1", m.mode());
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/memory x")), m.memory());
    }

    @Test
    void bindMountsOfASubHierarchyAreNotTheRoot() {
        String mountinfo = "50 40 0:26 /kubepods.slice/pod1 /sys/fs/cgroup ro,relatime - cgroup2 cgroup2 rw\n";
        assertEquals(Optional.empty(), CgroupMounts.parse(mountinfo, MOUNTINFO).unified());
    }

    @Test
    void mountinfoWithoutSeparatorIsMalformed() {
        assertThrows(MalformedProcFileException.class, () -> CgroupMounts.parse("1 2 3 4 5 6\n", MOUNTINFO));
    }

    @Test
    void kernelReleases() {
        KernelRelease debian = KernelRelease.parse("6.1.0-28-amd64\n");
        assertEquals(6, debian.major());
        assertEquals(1, debian.minor());
        assertTrue(debian.atLeast(6, 1));
        assertFalse(debian.atLeast(6, 2));
        assertTrue(KernelRelease.parse("5.10.0-33-amd64").atLeast(4, 19));
        assertFalse(KernelRelease.parse("4.14.355").atLeast(4, 19));
        assertTrue(KernelRelease.parse("6.18.44-fc-v669").atLeast(6, 1));
        assertThrows(IllegalArgumentException.class, () -> KernelRelease.parse("linux"));
    }
}
