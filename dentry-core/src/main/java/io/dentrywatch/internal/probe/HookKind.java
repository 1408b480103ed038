package io.dentrywatch.internal.probe;

import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.host.ProcFiles;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.BpfLink;
import io.dentrywatch.bpf.BpfProgram;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a BPF program reaches the kernel, one way per kind as cilium/ebpf has one function per link
 * type: whether the kind can be used on this kernel at all, whether its target exists, whether the
 * target is fixed when the program loads, and how it attaches.
 */
public enum HookKind {
    /** A BTF trampoline on a kernel function's entry. */
    FENTRY,
    /** A BTF trampoline on a kernel function's return. */
    FEXIT,
    /** A kprobe on a kernel function's entry. */
    KPROBE,
    /** A kretprobe on a kernel function's return. */
    KRETPROBE,
    /** A raw tracepoint, attached by name. */
    RAW_TP,
    /** A BTF-typed raw tracepoint (tp_btf), verified against the kernel's BTF. */
    TP_BTF;

    /**
     * Fails if this kernel cannot take hooks of this kind at all; kprobes need {@code CONFIG_KPROBES}.
     * (fentry/fexit need the kernel's BTF: {@link KernelFunctions#inBtf} says so when first asked.)
     *
     * @throws BpfException.NotSupported saying what the kernel lacks
     */
    public void requireSupport(Host host) {
        if ((this == KPROBE || this == KRETPROBE) && !host.hasKprobes()) {
            throw new BpfException.NotSupported("kprobes: this kernel (" + host.kernel()
                    + ") is built without CONFIG_KPROBES (no " + host.kprobePmu() + ")");
        }
    }

    /**
     * Whether {@code target} exists on this kernel, asked before anything is loaded: a traced function
     * must be in the kernel's BTF, a probed one in kallsyms (neither inlined nor renamed); the
     * tracepoints hooked exist on every kernel whose mode uses them.
     */
    public boolean exists(String target, KernelFunctions kernel) {
        return switch (this) {
            case FENTRY, FEXIT -> kernel.inBtf(target);
            case KPROBE, KRETPROBE -> kernel.inKallsyms(target);
            case RAW_TP, TP_BTF -> true;
        };
    }

    /** Whether the target is fixed when the program loads ({@link BpfProgram#setAttachTarget}), not named when it attaches. */
    public boolean targetFixedAtLoad() {
        return switch (this) {
            case FENTRY, FEXIT, TP_BTF -> true;
            case KPROBE, KRETPROBE, RAW_TP -> false;
        };
    }

    /** Attaches a loaded program of this kind to {@code target}. */
    public BpfLink attach(BpfProgram program, String target, Host host) {
        return switch (this) {
            case FENTRY, FEXIT, TP_BTF -> program.attach(); // the target was fixed at load
            case KPROBE, KRETPROBE -> {
                try {
                    yield program.attachKprobe(target, this == KRETPROBE);
                } catch (BpfException.PermissionDenied e) {
                    throw new BpfException.PermissionDenied(e.getMessage() + "; " + perfEventParanoia(host), e);
                }
            }
            case RAW_TP -> program.attachRawTracepoint(target);
        };
    }

    /** Why a privileged process may still be refused a kprobe perf event, and what to do. */
    private static String perfEventParanoia(Host host) {
        Path paranoid = host.perfEventParanoid();
        String level = Files.isReadable(paranoid) ? ProcFiles.read(paranoid).strip() : "unknown";
        return "kernel.perf_event_paranoid is " + level + ": above 2, a restriction Debian's kernels add (5.10 and 6.1"
                + " measured), kprobe perf events need CAP_SYS_ADMIN, CAP_PERFMON is not enough; set"
                + " kernel.perf_event_paranoid=2, add SYS_ADMIN, or use fentry mode (AUTO tries it first)";
    }
}
