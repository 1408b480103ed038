package io.dentrywatch.internal.probe;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.host.KernelSymbols;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.BpfMap;
import io.dentrywatch.bpf.BpfObject;
import io.dentrywatch.bpf.Errno;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded and attached {@code sources.bpf.o}: lookup misses and unlinks counted per (cgroup, parent
 * directory) in an LRU hash ({@value #SOURCES_MAP}). Only fentry and kprobe modes have the dentry hooks it
 * needs; every one of its three hooks must attach, or the whole is unavailable (a partial count would name
 * the wrong directories first).
 */
public final class SourceProbes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceProbes.class);

    public static final String OBJECT = "sources.bpf.o";
    /** {@code BPF_MAP_TYPE_LRU_HASH}: {@code struct source_key} to {@code struct source_value}. */
    public static final String SOURCES_MAP = "negative_sources";
    /** A per-CPU array of one {@code struct source_stats}: events, inserts, failed inserts. */
    public static final String STATS_MAP = "source_stats";

    /** The hooks on BTF trampolines. */
    public static final List<Hook> FENTRY_HOOKS = hooks(HookKind.FENTRY);
    /** The same functions on kprobes. */
    public static final List<Hook> KPROBE_HOOKS = hooks(HookKind.KPROBE);

    /**
     * The three hooks, named as in sources.bpf.c: {@code fe_src_add}, {@code kp_src_splice}... (short: the kernel
     * keeps 15 characters of a program's name, and bpftool and bpf_stats show them).
     */
    private static List<Hook> hooks(HookKind kind) {
        String prefix = (kind == HookKind.FENTRY ? "fe" : "kp") + "_src_";
        return List.of(
                new Hook(kind, prefix + "add", List.of("d_add"), Set.of()),
                // 6.15+: d_splice_alias is a wrapper of d_splice_alias_ops; hooking both would count twice
                new Hook(kind, prefix + "splice", List.of("d_splice_alias_ops", "d_splice_alias"), Set.of()),
                new Hook(kind, prefix + "delete", List.of("d_delete"), Set.of()));
    }

    private final BpfObject object;
    private final List<String> attached;

    private SourceProbes(BpfObject object, List<String> attached) {
        this.object = object;
        this.attached = List.copyOf(attached);
    }

    /** Why a mode has no negative sources, or empty if it can have them. */
    public static java.util.Optional<String> unavailableIn(AttachMode mode) {
        return switch (mode) {
            case FENTRY, KPROBE -> java.util.Optional.empty();
            case TRACEPOINT -> java.util.Optional.of("negative sources need the dentry hooks (d_add, d_splice_alias,"
                    + " d_delete) of fentry or kprobe mode; tracepoint mode has none on this kernel");
            case NONE -> java.util.Optional.of("negative sources need BPF probes, and the sampler runs in node-only mode");
            case AUTO -> throw new IllegalArgumentException("AUTO is not a live mode");
        };
    }

    /**
     * Loads {@code sources.bpf.o} for {@code mode} (fentry or kprobe) and attaches its hooks.
     *
     * @param capacity     directories (per cgroup) the LRU map holds
     * @param keyByMemcg   count under the memory cgroup, as the sampler does
     * @throws BpfException if a hook's function is missing or the kernel refuses a program
     */
    public static SourceProbes open(AttachMode mode, int capacity, boolean keyByMemcg, Host host) {
        List<Hook> hooks = switch (mode) {
            case FENTRY -> FENTRY_HOOKS;
            case KPROBE -> KPROBE_HOOKS;
            default -> throw new BpfException.NotSupported(unavailableIn(mode).orElse(mode + " has no negative sources"));
        };
        hooks.stream().map(Hook::kind).distinct().forEach(kind -> kind.requireSupport(host));
        Set<String> wanted = new HashSet<>();
        hooks.forEach(h -> wanted.addAll(h.targets()));
        KernelSymbols symbols = KernelSymbols.read(host.kallsyms(), wanted);
        List<String> targets = new ArrayList<>();
        try (KernelFunctions functions = new KernelFunctions(symbols)) {
            for (Hook hook : hooks) {
                String target = hook.targets().stream().filter(t -> hook.kind().exists(t, functions)).findFirst()
                        .orElseThrow(() -> new BpfException.NotFound("negative sources: none of " + hook.targets()
                                + " exists in this kernel (inlined, renamed or compiled out)", Errno.ENOENT));
                targets.add(target);
            }
        }
        BpfObject object = BpfObject.openResource(OBJECT);
        try {
            Set<String> loading = new HashSet<>();
            hooks.forEach(h -> loading.add(h.program()));
            for (Hook h : FENTRY_HOOKS) {
                object.program(h.program()).setAutoload(loading.contains(h.program()));
            }
            for (Hook h : KPROBE_HOOKS) {
                object.program(h.program()).setAutoload(loading.contains(h.program()));
            }
            for (int i = 0; i < hooks.size(); i++) {
                if (hooks.get(i).kind().targetFixedAtLoad()) {
                    object.program(hooks.get(i).program()).setAttachTarget(targets.get(i));
                }
            }
            object.map(SOURCES_MAP).setMaxEntries(capacity);
            object.map(".rodata").setInitialValue(config(keyByMemcg));
            object.load();
            List<String> chosen = new ArrayList<>();
            for (int i = 0; i < hooks.size(); i++) {
                Hook hook = hooks.get(i);
                hook.kind().attach(object.program(hook.program()), targets.get(i), host);
                chosen.add(hook.program() + "->" + targets.get(i));
            }
            LOG.info("{} negative-source hooks attached: {}", mode, String.join(" ", chosen));
            return new SourceProbes(object, chosen);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** sources.bpf.c's {@code sources_config}, the whole of .rodata: {@code struct { bool key_by_memcg; }}. */
    public static byte[] config(boolean keyByMemcg) {
        return new byte[] {(byte) (keyByMemcg ? 1 : 0)};
    }

    /** The programs attached, each with the function it attached to. */
    public List<String> attached() {
        return attached;
    }

    public BpfMap sources() {
        return object.map(SOURCES_MAP);
    }

    public BpfMap stats() {
        return object.map(STATS_MAP);
    }

    /** Detaches the hooks and unloads the programs and maps. */
    @Override
    public void close() {
        object.close();
    }
}
