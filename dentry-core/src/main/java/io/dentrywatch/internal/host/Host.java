package io.dentrywatch.internal.host;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.Errno;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The host a sampler or an OOM watcher starts on, read once from its procfs: this process's
 * capabilities, the kernel release and the cgroup mounts, and where the other kernel files are. The
 * procfs files are found under {@link #procRoot()} (a host's {@code /proc} mounted elsewhere in a
 * container); the sysfs ones default to the host's own paths.
 *
 * @param procRoot      where procfs is mounted
 * @param capabilities  this process's effective capabilities ({@code self/status})
 * @param kernel        the kernel release ({@code sys/kernel/osrelease})
 * @param mounts        the cgroup hierarchies ({@code self/mountinfo})
 * @param kprobePmu     the kprobe perf event source, present where the kernel has kprobes
 * @param kprobeEvents  tracefs' kprobe_events, where a kernel without the PMU still takes kprobes
 * @param vmlinuxBtf    the kernel's own BTF, which fentry and tp_btf programs are verified against
 */
public record Host(Path procRoot, Capabilities capabilities, KernelRelease kernel, CgroupMounts mounts,
                   Path kprobePmu, List<Path> kprobeEvents, Path vmlinuxBtf) {

    public static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe/type");
    public static final List<Path> KPROBE_EVENTS = List.of(Path.of("/sys/kernel/tracing/kprobe_events"),
            Path.of("/sys/kernel/debug/tracing/kprobe_events"));
    public static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");

    public Host {
        kprobeEvents = List.copyOf(kprobeEvents);
    }

    /**
     * Reads {@code self/status}, {@code sys/kernel/osrelease} and {@code self/mountinfo} under
     * {@code procRoot}; the sysfs paths are the defaults.
     *
     * @throws java.io.UncheckedIOException         if a file cannot be read
     * @throws io.dentrywatch.core.MalformedProcFileException if one cannot be parsed
     */
    public static Host read(Path procRoot) {
        Path status = procRoot.resolve("self/status");
        Path mountinfo = procRoot.resolve("self/mountinfo");
        return new Host(procRoot,
                Capabilities.parseStatus(ProcFiles.read(status), status),
                KernelRelease.parse(ProcFiles.read(procRoot.resolve("sys/kernel/osrelease"))),
                CgroupMounts.parse(ProcFiles.read(mountinfo), mountinfo),
                KPROBE_PMU, KPROBE_EVENTS, VMLINUX_BTF);
    }

    /** The kernel's symbols, {@code kallsyms}. */
    public Path kallsyms() {
        return procRoot.resolve("kallsyms");
    }

    /** {@code sys/kernel/perf_event_paranoid}, which may refuse kprobe perf events to a process without CAP_SYS_ADMIN. */
    public Path perfEventParanoid() {
        return procRoot.resolve("sys/kernel/perf_event_paranoid");
    }

    /** {@code sys/fs/dentry-state}, the node's dentry cache state. */
    public Path dentryState() {
        return procRoot.resolve("sys/fs/dentry-state");
    }

    /** {@code self/auxv}, this process's auxiliary vector (the page size). */
    public Path auxv() {
        return procRoot.resolve("self/auxv");
    }

    /** Whether the kernel takes kprobes: the kprobe PMU, or tracefs' kprobe_events, exists. */
    public boolean hasKprobes() {
        return Files.exists(kprobePmu) || kprobeEvents.stream().anyMatch(Files::exists);
    }

    /** Whether the kernel has BTF of its own ({@link #vmlinuxBtf()}). */
    public boolean hasBtf() {
        return Files.exists(vmlinuxBtf);
    }

    /**
     * Fails unless this process may load and attach tracing programs.
     *
     * @param needs who needs them, the subject of the message: "per-cgroup counts need", "the OOM watcher needs"
     * @throws BpfException.PermissionDenied naming the capabilities that are missing
     */
    public void requireTracing(String needs) {
        if (!capabilities.canTrace()) {
            throw new BpfException.PermissionDenied(capabilities.missingForTracing(needs), Errno.EPERM);
        }
    }
}
