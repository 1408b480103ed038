package io.dentrywatch.internal.probe;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.internal.host.KernelRelease;
import io.dentrywatch.internal.host.KernelSymbols;
import io.dentrywatch.internal.host.ProcFiles;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.BpfMap;
import io.dentrywatch.bpf.BpfObject;
import io.dentrywatch.bpf.BpfProgram;
import io.dentrywatch.bpf.Errno;
import io.dentrywatch.bpf.KernelBtf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded and attached {@code dentry.bpf.o} for one attach mode. {@link #open} tries the modes in
 * order (for {@link AttachMode#AUTO}) and keeps the first that loads and attaches; each attempt that
 * fails is closed before the next, so nothing of it stays in the kernel. Within a mode, a hook whose
 * kernel function is missing (inlined, renamed) or fails to attach makes only the counters it feeds
 * unavailable; the allocation hook is the one a mode cannot do without.
 */
public final class DentryProbes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DentryProbes.class);

    public static final String OBJECT = "dentry.bpf.o";
    public static final String COUNTS_MAP = "cgroup_counts";
    /** A per-CPU array of one {@code struct node_counts}: the {@link NodeCounter}s and the reclaim histogram. */
    public static final String NODE_MAP = "node_counts";
    /** The superblock shrinker's scan function: reclaim events are kept where the shrinker's is this. */
    public static final String SUPER_CACHE_SCAN = "super_cache_scan";

    public static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe/type");
    /** The kernel's own BTF, which tp_btf programs are verified against. */
    public static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");

    /** A program and the kernel functions it can attach to, first existing one wins. */
    public record Hook(String program, List<String> targets, Set<DentryCounter> feeds) {
        Hook(String program, String target, DentryCounter... feeds) {
            this(program, List.of(target), Set.of(feeds));
        }

        Hook(String program, List<String> targets, DentryCounter... feeds) {
            this(program, targets, Set.of(feeds));
        }

        boolean essential() {
            return feeds.contains(DentryCounter.ALLOC);
        }
    }

    public static final List<Hook> FENTRY_HOOKS = List.of(
            new Hook("fexit_d_alloc", "__d_alloc", DentryCounter.ALLOC),
            new Hook("fentry_d_instantiate", "__d_instantiate", DentryCounter.POSITIVE),
            new Hook("fentry_d_add", "d_add", DentryCounter.POSITIVE, DentryCounter.NEGATIVE_LOOKUP),
            // 6.15+: d_splice_alias is a wrapper of d_splice_alias_ops; hooking both would count twice
            new Hook("fentry_d_splice_alias", List.of("d_splice_alias_ops", "d_splice_alias"),
                    DentryCounter.POSITIVE, DentryCounter.NEGATIVE_LOOKUP),
            new Hook("fentry_d_obtain_alias", "__d_obtain_alias", DentryCounter.POSITIVE),
            new Hook("fentry_d_delete", "d_delete", DentryCounter.NEGATIVE_UNLINK),
            new Hook("fentry_dentry_free", List.of("dentry_free", "__dentry_kill"), DentryCounter.FREED),
            new Hook("fentry_prune_dcache_sb", "prune_dcache_sb", DentryCounter.PRUNE_DCACHE_SB),
            new Hook("fentry_shrink_dcache_sb", "shrink_dcache_sb", DentryCounter.SHRINK_DCACHE_SB));

    public static final List<Hook> KPROBE_HOOKS = FENTRY_HOOKS.stream()
            .map(h -> new Hook(h.program().replaceFirst("^fexit_", "kretprobe_").replaceFirst("^fentry_", "kprobe_"),
                    h.targets(), h.feeds()))
            .toList();

    /** Both tracepoint variants free on the raw tracepoint: it only compares pointers, tp_btf would not make it cheaper. */
    private static final Hook TRACEPOINT_FREE_HOOK = new Hook("tp_kmem_cache_free", "kmem_cache_free", DentryCounter.FREED);

    /** Tracepoint mode with a BTF-typed allocation program (tp_btf): the memory cgroup is read by plain loads, not helper calls. */
    public static final List<Hook> TRACEPOINT_BTF_HOOKS = List.of(
            new Hook("btf_kmem_cache_alloc", "kmem_cache_alloc", DentryCounter.ALLOC), TRACEPOINT_FREE_HOOK);

    /** Tracepoint mode where the kernel refuses the tp_btf program: raw tracepoints. */
    public static final List<Hook> TRACEPOINT_HOOKS = List.of(
            new Hook("tp_kmem_cache_alloc", "kmem_cache_alloc", DentryCounter.ALLOC), TRACEPOINT_FREE_HOOK);

    /** Reclaim is watched on the vmscan raw tracepoints in every mode. */
    public static final List<Hook> RECLAIM_HOOKS = List.of(
            new Hook("tp_shrink_slab_start", "mm_shrink_slab_start", DentryCounter.RECLAIM, DentryCounter.RECLAIMED),
            new Hook("tp_shrink_slab_end", "mm_shrink_slab_end", DentryCounter.RECLAIM, DentryCounter.RECLAIMED));

    private static final List<Hook> ALL_HOOKS = java.util.stream.Stream.of(
            FENTRY_HOOKS, KPROBE_HOOKS, TRACEPOINT_BTF_HOOKS, TRACEPOINT_HOOKS, RECLAIM_HOOKS).flatMap(List::stream).distinct().toList();

    private final AttachMode mode;
    private final BpfObject object;
    private final List<String> programs;
    private final Set<DentryCounter> counters;
    private final List<String> degraded;

    private DentryProbes(AttachMode mode, BpfObject object, List<String> programs, Set<DentryCounter> counters,
                         List<String> degraded) {
        this.mode = mode;
        this.object = object;
        this.programs = List.copyOf(programs);
        this.counters = Set.copyOf(counters);
        this.degraded = List.copyOf(degraded);
    }

    public AttachMode mode() {
        return mode;
    }

    /** The programs that are attached. */
    public List<String> programs() {
        return programs;
    }

    /** The counters whose hooks are all attached. */
    public Set<DentryCounter> counters() {
        return counters;
    }

    /** One line per hook that is not attached, and why. */
    public List<String> degraded() {
        return degraded;
    }

    public BpfMap counts() {
        return object.map(COUNTS_MAP);
    }

    public BpfMap nodeCounts() {
        return object.map(NODE_MAP);
    }

    /**
     * What {@link #open} needs besides the mode.
     *
     * @param reclaimByMemcg whether cgroup ids are memory cgroup ids, so reclaim can be credited per cgroup
     */
    public record Options(int capacity, boolean keyByMemcg, boolean reclaimByMemcg, KernelRelease kernel,
                   Map<String, String> targetOverrides, boolean rawTracepoints) {
    }

    /**
     * Loads and attaches the probes of {@code requested}; for {@link AttachMode#AUTO} the first mode
     * that works.
     *
     * @param failures receives one line per mode that was tried and failed (AUTO only)
     * @throws BpfException the requested mode's failure, or for AUTO the last mode's
     */
    public static DentryProbes open(AttachMode requested, Options options, List<String> failures) {
        KernelSymbols symbols = KernelSymbols.read(symbolsUsed(options)); // once, whichever modes are tried
        if (requested != AttachMode.AUTO) {
            return openMode(requested, options, symbols);
        }
        BpfException last = null;
        for (AttachMode mode : List.of(AttachMode.FENTRY, AttachMode.KPROBE, AttachMode.TRACEPOINT)) {
            try {
                return openMode(mode, options, symbols);
            } catch (BpfException e) {
                LOG.info("attach mode {} is not available: {}", mode, e.getMessage());
                failures.add(mode + ": " + e.getMessage());
                last = e;
            }
        }
        throw last;
    }

    /** The hooks of a mode, reclaim's included; tracepoint mode's BTF-typed ones ({@link #TRACEPOINT_BTF_HOOKS}) are tried first. */
    public static List<Hook> hooks(AttachMode mode) {
        List<Hook> own = switch (mode) {
            case FENTRY -> FENTRY_HOOKS;
            case KPROBE -> KPROBE_HOOKS;
            case TRACEPOINT -> TRACEPOINT_HOOKS;
            case AUTO, NONE -> throw new IllegalArgumentException("no probes for " + mode);
        };
        return withReclaim(own);
    }

    private static List<Hook> withReclaim(List<Hook> own) {
        List<Hook> all = new ArrayList<>(own);
        all.addAll(RECLAIM_HOOKS);
        return all;
    }

    /**
     * The kernel symbols any mode asks about: the shrinker whose reclaim is kept, and every function a
     * kprobe may attach to (the hooks' and the overrides').
     */
    public static Set<String> symbolsUsed(Options options) {
        Set<String> names = new HashSet<>();
        names.add(SUPER_CACHE_SCAN);
        KPROBE_HOOKS.forEach(h -> names.addAll(h.targets()));
        names.addAll(options.targetOverrides().values());
        return names;
    }

    private static DentryProbes openMode(AttachMode mode, Options options, KernelSymbols symbols) {
        if (mode == AttachMode.TRACEPOINT && !options.rawTracepoints() && options.kernel().atLeast(6, 1)
                && Files.exists(VMLINUX_BTF)) {
            try {
                return openHooks(mode, withReclaim(TRACEPOINT_BTF_HOOKS), options, symbols);
            } catch (BpfException e) {
                LOG.info("tracepoint mode: the kernel refused the BTF-typed (tp_btf) allocation program, using raw tracepoints: {}",
                        e.getMessage());
            }
        }
        return openHooks(mode, hooks(mode), options, symbols);
    }

    private static DentryProbes openHooks(AttachMode mode, List<Hook> hooks, Options options, KernelSymbols symbols) {
        final Predicate<String> exists = targetsOf(mode, options.kernel(), symbols);
        long superCacheScan = symbols.address(SUPER_CACHE_SCAN);
        Set<DentryCounter> unavailable = EnumSet.noneOf(DentryCounter.class);
        List<String> degraded = new ArrayList<>();
        if (!options.reclaimByMemcg()) {
            unavailable.add(DentryCounter.RECLAIMED);
            degraded.add("counters [RECLAIMED] unavailable: reclaim is per memory cgroup and this sampler counts by"
                    + " v2 cgroup on a host whose memory controller is in v1; count by memory cgroup to get it");
        }
        List<Hook> live = new ArrayList<>();
        List<String> liveTargets = new ArrayList<>();
        for (Hook hook : hooks) {
            List<String> targets = options.targetOverrides().containsKey(hook.program())
                    ? List.of(options.targetOverrides().get(hook.program())) : hook.targets();
            if (RECLAIM_HOOKS.contains(hook) && superCacheScan == 0) {
                degrade(hook, "/proc/kallsyms shows no address for " + SUPER_CACHE_SCAN
                        + " (kptr_restrict, or no CAP_SYSLOG): the superblock shrinker cannot be told apart", unavailable, degraded);
                continue;
            }
            String target = targets.stream().filter(exists).findFirst().orElse(null);
            if (target == null) {
                String why = hook.program() + ": none of " + targets + " exists in this kernel (inlined, renamed or"
                        + " compiled out)";
                if (hook.essential()) {
                    throw new BpfException.NotFound(mode + " " + why, Errno.ENOENT);
                }
                degrade(hook, why, unavailable, degraded);
                continue;
            }
            live.add(hook);
            liveTargets.add(target);
        }
        BpfObject object = BpfObject.openResource(OBJECT);
        try {
            Set<String> loading = new HashSet<>();
            live.forEach(h -> loading.add(h.program()));
            for (Hook h : ALL_HOOKS) {
                object.program(h.program()).setAutoload(loading.contains(h.program()));
            }
            for (int i = 0; i < live.size(); i++) {
                String program = live.get(i).program();
                if (program.startsWith("f") || program.startsWith("btf_")) { // fentry/fexit/tp_btf: the target is fixed at load
                    object.program(program).setAttachTarget(liveTargets.get(i));
                }
            }
            object.map(COUNTS_MAP).setMaxEntries(options.capacity());
            object.map(".rodata").setInitialValue(config(options, superCacheScan));
            load(object, mode);
            List<String> attached = new ArrayList<>();
            List<String> chosen = new ArrayList<>();
            for (int i = 0; i < live.size(); i++) {
                Hook hook = live.get(i);
                try {
                    attach(object.program(hook.program()), liveTargets.get(i));
                    attached.add(hook.program());
                    chosen.add(hook.program() + "->" + liveTargets.get(i));
                } catch (BpfException e) {
                    if (hook.essential()) {
                        throw e;
                    }
                    degrade(hook, e.getMessage(), unavailable, degraded);
                }
            }
            // which of a hook's candidate functions this kernel has (d_splice_alias_ops on 6.15+, inlined ones)
            LOG.info("{} hooks attached: {}", mode, String.join(" ", chosen));
            Set<DentryCounter> counters = EnumSet.noneOf(DentryCounter.class);
            hooks.forEach(h -> counters.addAll(h.feeds()));
            counters.removeAll(unavailable);
            return new DentryProbes(mode, object, attached, counters, degraded);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    private static void degrade(Hook hook, String why, Set<DentryCounter> unavailable, List<String> degraded) {
        LOG.warn("hook {} is not attached, {} unavailable: {}", hook.program(), hook.feeds(), why);
        unavailable.addAll(hook.feeds());
        degraded.add("counters " + hook.feeds() + " unavailable: " + why);
    }

    private static void load(BpfObject object, AttachMode mode) {
        try {
            object.load();
        } catch (BpfException.PermissionDenied e) {
            if (mode == AttachMode.FENTRY) {
                // privileges were checked before: EPERM here is the kernel refusing trampolines
                throw new BpfException.NotSupported("fentry: the kernel refused to load BTF trampoline programs ("
                        + e.getMessage() + ") although this process has CAP_BPF and CAP_PERFMON; fentry needs"
                        + " kernel 5.5+ built with CONFIG_DEBUG_INFO_BTF and CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS"
                        + " and not in lockdown", e);
            }
            throw e;
        }
    }

    /**
     * dentry.bpf.c's {@code config}, the whole of .rodata: {@code struct dentry_config { bool key_by_memcg;
     * bool reclaim_by_memcg; u64 super_cache_scan; }}. Public for dentry-core's {@code DentryObjectLayoutTest},
     * which checks it against the object's BTF.
     */
    public static byte[] config(Options options, long superCacheScan) {
        java.nio.ByteBuffer config = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.nativeOrder());
        config.put(0, (byte) (options.keyByMemcg() ? 1 : 0));
        config.put(1, (byte) (options.reclaimByMemcg() ? 1 : 0));
        config.putLong(8, superCacheScan);
        return config.array();
    }

    /** The program's name says its kind: {@code tp_} raw tracepoint, {@code kprobe_}/{@code kretprobe_}, or fentry/fexit/tp_btf ({@code btf_}), whose target was fixed at load. */
    private static void attach(BpfProgram program, String target) {
        String name = program.name();
        if (name.startsWith("tp_")) {
            program.attachRawTracepoint(target);
        } else if (name.startsWith("kprobe_") || name.startsWith("kretprobe_")) {
            try {
                program.attachKprobe(target, name.startsWith("kretprobe_"));
            } catch (BpfException.PermissionDenied e) {
                throw new BpfException.PermissionDenied(e.getMessage() + "; " + perfEventParanoia(), e);
            }
        } else {
            program.attach();
        }
    }

    /** Why a privileged process may still be refused a kprobe perf event, and what to do. */
    private static String perfEventParanoia() {
        Path paranoid = Path.of("/proc/sys/kernel/perf_event_paranoid");
        String level = Files.isReadable(paranoid) ? ProcFiles.read(paranoid).strip() : "unknown";
        return "kernel.perf_event_paranoid is " + level + ": above 2, a restriction Debian's kernels add (5.10 and 6.1"
                + " measured), kprobe perf events need CAP_SYS_ADMIN, CAP_PERFMON is not enough; set"
                + " kernel.perf_event_paranoid=2, add SYS_ADMIN, or use fentry mode (AUTO tries it first)";
    }

    /** Which hook targets exist on this kernel, checked before anything is loaded; fails if the mode cannot work at all. */
    private static Predicate<String> targetsOf(AttachMode mode, KernelRelease kernel, KernelSymbols symbols) {
        return switch (mode) {
            case FENTRY -> {
                try (KernelBtf btf = KernelBtf.load()) {
                    Set<String> found = new HashSet<>();
                    for (Hook h : FENTRY_HOOKS) {
                        h.targets().stream().filter(btf::hasFunction).forEach(found::add);
                    }
                    yield target -> found.contains(target) || target.startsWith("mm_shrink_slab");
                }
            }
            case KPROBE -> {
                if (!Files.exists(KPROBE_PMU) && !Files.exists(Path.of("/sys/kernel/tracing/kprobe_events"))
                        && !Files.exists(Path.of("/sys/kernel/debug/tracing/kprobe_events"))) {
                    throw new BpfException.NotSupported("kprobes: this kernel (" + kernel
                            + ") is built without CONFIG_KPROBES (no " + KPROBE_PMU + ")");
                }
                yield target -> kprobeTargetExists(symbols, target);
            }
            case TRACEPOINT -> {
                if (!kernel.atLeast(6, 1)) {
                    throw new BpfException.NotSupported("tracepoint mode needs kernel 6.1+, where kmem:kmem_cache_alloc"
                            + " carries the struct kmem_cache pointer; this kernel is " + kernel);
                }
                yield tracepoint -> true; // the slab and vmscan tracepoints exist on every 6.1+ kernel
            }
            default -> throw new AssertionError(mode);
        };
    }

    /** For kprobe mode: a kprobe's function is in kallsyms; the reclaim hooks are raw tracepoints, which always exist. */
    public static boolean kprobeTargetExists(KernelSymbols symbols, String target) {
        return target.startsWith("mm_shrink_slab") || symbols.hasFunction(target);
    }

    /** Detaches every probe and unloads the programs and maps. */
    @Override
    public void close() {
        object.close();
    }
}
