package io.dentrywatch.internal.probe;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.internal.host.Capabilities;
import io.dentrywatch.internal.host.CgroupMounts;
import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.host.KernelRelease;
import io.dentrywatch.internal.host.KernelSymbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.bpf.BpfException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each hook kind asks of the kernel, and the hook lists built by kind. */
class HookKindTest {

    @TempDir
    Path sysfs;

    private Host host(Path kprobePmu, List<Path> kprobeEvents) {
        return new Host(Path.of("/proc"), new Capabilities(0), KernelRelease.parse("6.18.0"),
                new CgroupMounts(Optional.empty(), Optional.empty(), false), kprobePmu, kprobeEvents, Host.VMLINUX_BTF);
    }

    @Test
    void everyKprobeTargetIsAmongTheSymbolsRead() {
        DentryProbes.Options options = new DentryProbes.Options(1024, true, true, host(Host.KPROBE_PMU, Host.KPROBE_EVENTS),
                Map.of("kprobe_d_add", "some_other_function"), false);
        KernelSymbols none = KernelSymbols.parse("0000000000000000 D nothing\n", DentryProbes.symbolsUsed(options));
        List<Hook> hooks = new ArrayList<>(DentryProbes.hooks(AttachMode.KPROBE));
        hooks.add(new Hook(HookKind.KPROBE, "kprobe_d_add", "some_other_function"));
        try (KernelFunctions functions = new KernelFunctions(none)) {
            for (Hook hook : hooks) {
                for (String target : hook.targets()) {
                    // throws if the sampler would ask about a symbol it did not read
                    boolean exists = hook.kind().exists(target, functions);
                    assertEquals(target.startsWith("mm_shrink_slab"), exists, target);
                }
            }
        }
        assertEquals(0, none.address(DentryProbes.SUPER_CACHE_SCAN));
    }

    @Test
    void kprobeModeHasTheFentryModesFunctionsOnKprobes() {
        assertEquals(DentryProbes.FENTRY_HOOKS.size(), DentryProbes.KPROBE_HOOKS.size());
        for (int i = 0; i < DentryProbes.FENTRY_HOOKS.size(); i++) {
            Hook fentry = DentryProbes.FENTRY_HOOKS.get(i);
            Hook kprobe = DentryProbes.KPROBE_HOOKS.get(i);
            assertEquals(fentry.kind() == HookKind.FEXIT ? HookKind.KRETPROBE : HookKind.KPROBE, kprobe.kind(), kprobe.program());
            assertEquals(fentry.targets(), kprobe.targets());
            assertEquals(fentry.feeds(), kprobe.feeds());
        }
        assertEquals("fexit_d_alloc", DentryProbes.FENTRY_HOOKS.getFirst().program());
        assertEquals("kretprobe_d_alloc", DentryProbes.KPROBE_HOOKS.getFirst().program());
        assertEquals("kprobe_d_splice_alias", DentryProbes.KPROBE_HOOKS.get(3).program());
    }

    @Test
    void theTargetsOfTrampolinesAndTpBtfAreFixedAtLoad() {
        Set<HookKind> fixed = EnumSet.noneOf(HookKind.class);
        for (HookKind kind : HookKind.values()) {
            if (kind.targetFixedAtLoad()) {
                fixed.add(kind);
            }
        }
        assertEquals(EnumSet.of(HookKind.FENTRY, HookKind.FEXIT, HookKind.TP_BTF), fixed);
    }

    @Test
    void kprobesNeedTheKprobePmuOrKprobeEvents() throws Exception {
        Host without = host(sysfs.resolve("kprobe/type"), List.of(sysfs.resolve("tracing/kprobe_events")));
        for (HookKind kind : List.of(HookKind.KPROBE, HookKind.KRETPROBE)) {
            BpfException e = assertThrows(BpfException.NotSupported.class, () -> kind.requireSupport(without));
            assertTrue(e.getMessage().contains("CONFIG_KPROBES") && e.getMessage().contains(sysfs.resolve("kprobe/type").toString()),
                    e.getMessage());
        }
        for (HookKind kind : List.of(HookKind.FENTRY, HookKind.FEXIT, HookKind.RAW_TP, HookKind.TP_BTF)) {
            kind.requireSupport(without); // no kprobes needed
        }
        java.nio.file.Files.createDirectories(sysfs.resolve("tracing"));
        java.nio.file.Files.writeString(sysfs.resolve("tracing/kprobe_events"), "");
        HookKind.KPROBE.requireSupport(without); // tracefs takes kprobes where the PMU is missing
    }
}
