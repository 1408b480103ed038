package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.bpf.BpfException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host read from a procfs mounted elsewhere: every procfs file under it, the sysfs ones where they are. */
class HostTest {

    @TempDir
    Path proc;

    private Path write(String relative, String text) throws IOException {
        Path file = proc.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private void hostProcfs(String capEff) throws IOException {
        write("self/status", "Name:\tjava\nCapEff:\t" + capEff + "\n");
        write("sys/kernel/osrelease", "5.10.0-33-amd64\n");
        write("self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n");
    }

    @Test
    void readsCapabilitiesKernelAndMountsOnceUnderTheProcRoot() throws IOException {
        hostProcfs("000001ffffffffff");
        Host host = Host.read(proc);
        assertTrue(host.capabilities().canTrace());
        assertEquals(KernelRelease.parse("5.10.0-33-amd64"), host.kernel());
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup")), host.mounts().unified());
        assertEquals("v2", host.mounts().mode());
        host.requireTracing("tests need");
    }

    @Test
    void theKernelsOtherFilesAreFoundUnderTheProcRootTooAndSysfsWhereItIs() throws IOException {
        hostProcfs("0000000000000000");
        Host host = Host.read(proc);
        assertEquals(proc.resolve("kallsyms"), host.kallsyms());
        assertEquals(proc.resolve("sys/kernel/perf_event_paranoid"), host.perfEventParanoid());
        assertEquals(proc.resolve("sys/fs/dentry-state"), host.dentryState());
        assertEquals(proc.resolve("self/auxv"), host.auxv());
        assertEquals(Host.KPROBE_PMU, host.kprobePmu());
        assertEquals(Host.KPROBE_EVENTS, host.kprobeEvents());
        assertEquals(Host.VMLINUX_BTF, host.vmlinuxBtf());
    }

    @Test
    void aProcessWithoutCapabilitiesIsToldWhoNeedsWhich() throws IOException {
        hostProcfs("0000000000000000");
        Host host = Host.read(proc);
        BpfException.PermissionDenied e = assertThrows(BpfException.PermissionDenied.class,
                () -> host.requireTracing("the OOM watcher needs"));
        assertTrue(e.getMessage().startsWith("the OOM watcher needs CAP_BPF and CAP_PERFMON"), e.getMessage());
        assertTrue(e.getMessage().contains("no CAP_BPF, no CAP_PERFMON"), e.getMessage());
    }

    @Test
    void aMissingOrMalformedFileFailsTheRead() throws IOException {
        write("self/status", "Name:\tjava\n");
        assertThrows(MalformedProcFileException.class, () -> Host.read(proc));
        hostProcfs("0000000000000000");
        Files.delete(proc.resolve("sys/kernel/osrelease"));
        assertThrows(UncheckedIOException.class, () -> Host.read(proc));
    }
}
