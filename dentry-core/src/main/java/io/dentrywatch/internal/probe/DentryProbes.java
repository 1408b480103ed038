package io.dentrywatch.internal.probe;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.host.KernelSymbols;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.BpfMap;
import io.dentrywatch.bpf.BpfObject;
import io.dentrywatch.bpf.Errno;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    /** The direct map's and the struct page array's bases: with both, a dentry's owner is found from its address (owner.h). */
    public static final String PAGE_OFFSET_BASE = "page_offset_base";
    public static final String VMEMMAP_BASE = "vmemmap_base";
    /** The counters kept by the dentry's owner: they need memory cgroup ids, and the owner's address arithmetic. */
    private static final Set<DentryCounter> BY_OWNER = EnumSet.copyOf(
            java.util.Arrays.stream(DentryCounter.values()).filter(DentryCounter::byOwner).toList());

    /** The dcache functions on BTF trampolines. */
    public static final List<Hook> FENTRY_HOOKS = dcacheHooks(HookKind.FENTRY, HookKind.FEXIT);

    /** The same functions on kprobes, where the kernel has no trampolines. */
    public static final List<Hook> KPROBE_HOOKS = dcacheHooks(HookKind.KPROBE, HookKind.KRETPROBE);

    /** Both tracepoint variants free on the raw tracepoint: it only compares pointers, tp_btf would not make it cheaper. */
    private static final Hook TRACEPOINT_FREE_HOOK = new Hook(HookKind.RAW_TP, "tp_kmem_cache_free", "kmem_cache_free",
            DentryCounter.FREED, DentryCounter.UNCHARGED);

    /** Tracepoint mode with a BTF-typed allocation program (tp_btf): the memory cgroup is read by plain loads, not helper calls. */
    public static final List<Hook> TRACEPOINT_BTF_HOOKS = List.of(
            new Hook(HookKind.TP_BTF, "btf_kmem_cache_alloc", "kmem_cache_alloc", DentryCounter.ALLOC,
                    DentryCounter.CHARGED), TRACEPOINT_FREE_HOOK);

    /** Tracepoint mode where the kernel refuses the tp_btf program: raw tracepoints. */
    public static final List<Hook> TRACEPOINT_HOOKS = List.of(
            new Hook(HookKind.RAW_TP, "tp_kmem_cache_alloc", "kmem_cache_alloc", DentryCounter.ALLOC,
                    DentryCounter.CHARGED), TRACEPOINT_FREE_HOOK);

    /** Reclaim is watched on the vmscan raw tracepoints in every mode. */
    public static final List<Hook> RECLAIM_HOOKS = List.of(
            new Hook(HookKind.RAW_TP, "tp_shrink_slab_start", "mm_shrink_slab_start", DentryCounter.RECLAIM,
                    DentryCounter.RECLAIMED),
            new Hook(HookKind.RAW_TP, "tp_shrink_slab_end", "mm_shrink_slab_end", DentryCounter.RECLAIM,
                    DentryCounter.RECLAIMED));

    private static final List<Hook> ALL_HOOKS = java.util.stream.Stream.of(
            FENTRY_HOOKS, KPROBE_HOOKS, TRACEPOINT_BTF_HOOKS, TRACEPOINT_HOOKS, RECLAIM_HOOKS).flatMap(List::stream).distinct().toList();

    /**
     * The dcache functions' hooks, on their entry ({@code onEntry}: fentry or kprobe) or return
     * ({@code onReturn}: fexit or kretprobe). dentry.bpf.c names each program after its kind and the
     * function: {@code fexit_d_alloc}, {@code kretprobe_d_alloc}.
     */
    private static List<Hook> dcacheHooks(HookKind onEntry, HookKind onReturn) {
        return List.of(
                dcache(onReturn, "d_alloc", List.of("__d_alloc"), DentryCounter.ALLOC, DentryCounter.CHARGED),
                dcache(onEntry, "d_instantiate", List.of("__d_instantiate"), DentryCounter.POSITIVE, DentryCounter.BOUND),
                dcache(onEntry, "d_add", List.of("d_add"), DentryCounter.POSITIVE, DentryCounter.NEGATIVE_LOOKUP,
                        DentryCounter.BOUND),
                // 6.15+: d_splice_alias is a wrapper of d_splice_alias_ops; hooking both would count twice
                dcache(onEntry, "d_splice_alias", List.of("d_splice_alias_ops", "d_splice_alias"),
                        DentryCounter.POSITIVE, DentryCounter.NEGATIVE_LOOKUP, DentryCounter.BOUND),
                dcache(onEntry, "dentry_unlink_inode", List.of("dentry_unlink_inode"), DentryCounter.UNBOUND),
                dcache(onEntry, "d_obtain_alias", List.of("__d_obtain_alias"), DentryCounter.POSITIVE),
                dcache(onEntry, "d_delete", List.of("d_delete"), DentryCounter.NEGATIVE_UNLINK),
                dcache(onEntry, "dentry_free", List.of("dentry_free", "__dentry_kill", "dentry_kill"), DentryCounter.FREED, DentryCounter.UNCHARGED),
                dcache(onEntry, "prune_dcache_sb", List.of("prune_dcache_sb"), DentryCounter.PRUNE_DCACHE_SB),
                dcache(onEntry, "shrink_dcache_sb", List.of("shrink_dcache_sb"), DentryCounter.SHRINK_DCACHE_SB));
    }

    private static Hook dcache(HookKind kind, String function, List<String> targets, DentryCounter... feeds) {
        return new Hook(kind, kind.name().toLowerCase(Locale.ROOT) + "_" + function, targets, feeds);
    }

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
     * @param memcgIds whether cgroup ids are memory cgroup ids, so reclaim and dentry owners (memory cgroups)
     *                 can be counted per cgroup
     */
    public record Options(int capacity, boolean keyByMemcg, boolean memcgIds, Host host,
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
        // once, whichever modes are tried
        KernelSymbols symbols = KernelSymbols.read(options.host().kallsyms(), symbolsUsed(options));
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
        names.add(PAGE_OFFSET_BASE);
        names.add(VMEMMAP_BASE);
        KPROBE_HOOKS.forEach(h -> names.addAll(h.targets()));
        names.addAll(options.targetOverrides().values());
        return names;
    }

    private static DentryProbes openMode(AttachMode mode, Options options, KernelSymbols symbols) {
        if (mode == AttachMode.TRACEPOINT && !options.rawTracepoints() && options.host().kernel().atLeast(6, 1)
                && options.host().hasBtf()) {
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
        Host host = options.host();
        requireMode(mode, hooks, host);
        long superCacheScan = symbols.address(SUPER_CACHE_SCAN);
        Set<DentryCounter> unavailable = EnumSet.noneOf(DentryCounter.class);
        List<String> degraded = new ArrayList<>();
        long pageOffsetBase = symbols.variableAddress(PAGE_OFFSET_BASE);
        long vmemmapBase = symbols.variableAddress(VMEMMAP_BASE);
        if (!options.memcgIds()) {
            unavailable.add(DentryCounter.RECLAIMED);
            unavailable.addAll(BY_OWNER);
            degraded.add("counters [RECLAIMED] and the dentry owners' " + BY_OWNER + " unavailable: reclaim and the"
                    + " kernel's charge of a dentry are per memory cgroup and this sampler counts by v2 cgroup on a host"
                    + " whose memory controller is in v1; count by memory cgroup to get them");
        } else if ((pageOffsetBase == 0 || vmemmapBase == 0) && mode != AttachMode.TRACEPOINT) {
            unavailable.addAll(BY_OWNER);
            degraded.add("the dentry owners' counters " + BY_OWNER + " unavailable: in " + mode + " mode a dentry's"
                    + " owner is found from " + PAGE_OFFSET_BASE + " and " + VMEMMAP_BASE + ", and " + host.kallsyms()
                    + " does not show them (a kernel built without CONFIG_KALLSYMS_ALL, or no CAP_SYSLOG); tracepoint"
                    + " mode learns them from the dentry cache itself");
        }
        List<Hook> live = new ArrayList<>();
        List<String> liveTargets = new ArrayList<>();
        try (KernelFunctions functions = new KernelFunctions(symbols)) {
            for (Hook hook : hooks) {
                List<String> targets = options.targetOverrides().containsKey(hook.program())
                        ? List.of(options.targetOverrides().get(hook.program())) : hook.targets();
                if (RECLAIM_HOOKS.contains(hook) && superCacheScan == 0) {
                    degrade(hook, host.kallsyms() + " shows no address for " + SUPER_CACHE_SCAN
                            + " (kptr_restrict, or no CAP_SYSLOG): the superblock shrinker cannot be told apart",
                            unavailable, degraded);
                    continue;
                }
                String target = targets.stream().filter(t -> hook.kind().exists(t, functions)).findFirst().orElse(null);
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
        }
        BpfObject object = BpfObject.openResource(OBJECT);
        try {
            Set<String> loading = new HashSet<>();
            live.forEach(h -> loading.add(h.program()));
            for (Hook h : ALL_HOOKS) {
                object.program(h.program()).setAutoload(loading.contains(h.program()));
            }
            for (int i = 0; i < live.size(); i++) {
                Hook hook = live.get(i);
                if (hook.kind().targetFixedAtLoad()) {
                    object.program(hook.program()).setAttachTarget(liveTargets.get(i));
                }
            }
            object.map(COUNTS_MAP).setMaxEntries(options.capacity());
            object.map(".rodata").setInitialValue(config(options, superCacheScan, pageOffsetBase, vmemmapBase));
            load(object, mode);
            List<String> attached = new ArrayList<>();
            List<String> chosen = new ArrayList<>();
            for (int i = 0; i < live.size(); i++) {
                Hook hook = live.get(i);
                try {
                    hook.kind().attach(object.program(hook.program()), liveTargets.get(i), host);
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

    /** Fails if the mode cannot work on this kernel at all, before anything is loaded. */
    private static void requireMode(AttachMode mode, List<Hook> hooks, Host host) {
        if (mode == AttachMode.TRACEPOINT && !host.kernel().atLeast(6, 1)) {
            throw new BpfException.NotSupported("tracepoint mode needs kernel 6.1+, where kmem:kmem_cache_alloc"
                    + " carries the struct kmem_cache pointer; this kernel is " + host.kernel());
        }
        hooks.stream().map(Hook::kind).distinct().forEach(kind -> kind.requireSupport(host));
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
     * bool memcg_ids; u64 super_cache_scan; u64 page_offset_base; u64 vmemmap_base; }}, the last three
     * kallsyms addresses (0: not shown). Public for dentry-core's {@code DentryObjectLayoutTest}, which
     * checks it against the object's BTF.
     */
    public static byte[] config(Options options, long superCacheScan, long pageOffsetBase, long vmemmapBase) {
        java.nio.ByteBuffer config = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.nativeOrder());
        config.put(0, (byte) (options.keyByMemcg() ? 1 : 0));
        config.put(1, (byte) (options.memcgIds() ? 1 : 0));
        config.putLong(8, superCacheScan);
        config.putLong(16, pageOffsetBase);
        config.putLong(24, vmemmapBase);
        return config.array();
    }

    /** Detaches every probe and unloads the programs and maps. */
    @Override
    public void close() {
        object.close();
    }
}
