package io.dentrywatch.core;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.BpfMap;
import io.dentrywatch.bpf.BpfObject;
import io.dentrywatch.bpf.BpfProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded and attached {@code dentry.bpf.o} for one attach mode. {@link #open} tries the modes in
 * order (for {@link AttachMode#AUTO}) and keeps the first that loads and attaches; each attempt that
 * fails is closed before the next, so nothing of it stays in the kernel.
 */
final class DentryProbes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DentryProbes.class);

    static final String OBJECT = "dentry.bpf.o";
    static final String COUNTS_MAP = "cgroup_counts";
    static final String DROPS_MAP = "map_full_drops";

    private static final String FEXIT_D_ALLOC = "fexit_d_alloc";
    private static final String KRETPROBE_D_ALLOC = "kretprobe_d_alloc";
    private static final String TP_KMEM_CACHE_ALLOC = "tp_kmem_cache_alloc";
    private static final List<String> PROGRAMS = List.of(FEXIT_D_ALLOC, KRETPROBE_D_ALLOC, TP_KMEM_CACHE_ALLOC);

    static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");
    static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe/type");

    private final AttachMode mode;
    private final BpfObject object;

    private DentryProbes(AttachMode mode, BpfObject object) {
        this.mode = mode;
        this.object = object;
    }

    AttachMode mode() {
        return mode;
    }

    BpfMap counts() {
        return object.map(COUNTS_MAP);
    }

    BpfMap drops() {
        return object.map(DROPS_MAP);
    }

    /**
     * Loads and attaches the probes of {@code requested}; for {@link AttachMode#AUTO} the first mode
     * that works.
     *
     * @param failures receives one line per mode that was tried and failed (AUTO only)
     * @throws BpfException the requested mode's failure, or for AUTO the last mode's
     */
    static DentryProbes open(AttachMode requested, int capacity, KernelRelease kernel, List<String> failures) {
        if (requested != AttachMode.AUTO) {
            return openMode(requested, capacity, kernel);
        }
        BpfException last = null;
        for (AttachMode mode : List.of(AttachMode.FENTRY, AttachMode.KPROBE, AttachMode.TRACEPOINT)) {
            try {
                return openMode(mode, capacity, kernel);
            } catch (BpfException e) {
                LOG.info("attach mode {} is not available: {}", mode, e.getMessage());
                failures.add(mode + ": " + e.getMessage());
                last = e;
            }
        }
        throw last;
    }

    private static DentryProbes openMode(AttachMode mode, int capacity, KernelRelease kernel) {
        String program = switch (mode) {
            case FENTRY -> FEXIT_D_ALLOC;
            case KPROBE -> KRETPROBE_D_ALLOC;
            case TRACEPOINT -> TP_KMEM_CACHE_ALLOC;
            case AUTO, NONE -> throw new IllegalArgumentException("no probes for " + mode);
        };
        requireFeatures(mode, kernel);
        BpfObject object = BpfObject.openResource(OBJECT);
        try {
            for (String p : PROGRAMS) {
                object.program(p).setAutoload(p.equals(program));
            }
            object.map(COUNTS_MAP).setMaxEntries(capacity);
            try {
                object.load();
            } catch (BpfException.PermissionDenied e) {
                if (mode == AttachMode.FENTRY) {
                    // privileges were checked before: EPERM here is the kernel refusing trampolines
                    throw new BpfException.NotSupported("fentry: the kernel refused to load a BTF trampoline program ("
                            + e.getMessage() + ") although this process has CAP_BPF and CAP_PERFMON; fentry needs"
                            + " kernel 5.5+ built with CONFIG_DEBUG_INFO_BTF and CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS"
                            + " and not in lockdown", e.errno());
                }
                throw e;
            }
            BpfProgram prog = object.program(program);
            switch (mode) {
                case FENTRY -> prog.attach();
                case KPROBE -> prog.attachKprobe("__d_alloc", true);
                case TRACEPOINT -> prog.attachRawTracepoint("kmem_cache_alloc");
                default -> throw new AssertionError(mode);
            }
            return new DentryProbes(mode, object);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    private static void requireFeatures(AttachMode mode, KernelRelease kernel) {
        switch (mode) {
            case FENTRY -> {
                if (!Files.exists(BTF)) {
                    throw new BpfException.NotSupported("fentry needs kernel BTF (" + BTF
                            + ", CONFIG_DEBUG_INFO_BTF=y, kernel 5.5+); this kernel has none", 0);
                }
            }
            case KPROBE -> {
                if (!Files.exists(KPROBE_PMU) && !Files.exists(Path.of("/sys/kernel/tracing/kprobe_events"))
                        && !Files.exists(Path.of("/sys/kernel/debug/tracing/kprobe_events"))) {
                    throw new BpfException.NotSupported("kprobes: this kernel (" + kernel
                            + ") is built without CONFIG_KPROBES (no " + KPROBE_PMU + ")", 0);
                }
            }
            case TRACEPOINT -> {
                if (!kernel.atLeast(6, 1)) {
                    throw new BpfException.NotSupported("tracepoint mode needs kernel 6.1+, where kmem:kmem_cache_alloc"
                            + " carries the struct kmem_cache pointer; this kernel is " + kernel, 0);
                }
            }
            default -> throw new AssertionError(mode);
        }
    }

    /** Detaches every probe and unloads the programs and maps. */
    @Override
    public void close() {
        object.close();
    }
}
