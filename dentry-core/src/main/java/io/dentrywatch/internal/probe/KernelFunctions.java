package io.dentrywatch.internal.probe;

import io.dentrywatch.internal.host.KernelSymbols;

import io.dentrywatch.bpf.KernelBtf;

/**
 * The running kernel's functions as the hook kinds ask about them ({@link HookKind#exists}): kallsyms
 * for kprobes, the kernel's BTF for fentry/fexit. The BTF is loaded on the first question about it
 * and freed on {@link #close()}.
 */
public final class KernelFunctions implements AutoCloseable {

    private final KernelSymbols symbols;
    private KernelBtf btf;

    public KernelFunctions(KernelSymbols symbols) {
        this.symbols = symbols;
    }

    /** Whether kallsyms lists the function (one of the symbols read). */
    public boolean inKallsyms(String name) {
        return symbols.hasFunction(name);
    }

    /**
     * Whether the kernel's BTF describes the function (it is not inlined).
     *
     * @throws io.dentrywatch.bpf.BpfException.NotSupported if the kernel has no BTF
     */
    public boolean inBtf(String name) {
        if (btf == null) {
            btf = KernelBtf.load();
        }
        return btf.hasFunction(name);
    }

    @Override
    public void close() {
        if (btf != null) {
            btf.close();
            btf = null;
        }
    }
}
