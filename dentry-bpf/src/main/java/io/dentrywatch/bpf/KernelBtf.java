package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.LibbpfLibrary;
import io.dentrywatch.bpf.internal.NativeCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The running kernel's BTF ({@code /sys/kernel/btf/vmlinux}), for asking which functions fentry can
 * attach to before loading anything. Close it when done; it holds the parsed type information.
 */
public final class KernelBtf implements AutoCloseable {

    private static final int BTF_KIND_FUNC = 12;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment btf;

    private KernelBtf(MemorySegment btf) {
        this.btf = btf;
    }

    /**
     * Loads the kernel's BTF.
     *
     * @throws BpfException.NotSupported if the kernel has none (needs {@code CONFIG_DEBUG_INFO_BTF=y})
     */
    public static KernelBtf load() {
        LibbpfLibrary.require();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Libbpf.CALL_STATE);
            MemorySegment btf = NativeCall.invoke(() -> (MemorySegment) Libbpf.BTF_LOAD_VMLINUX.invokeExact(state));
            if (btf.equals(MemorySegment.NULL)) {
                int errno = Libbpf.errno(state);
                throw new BpfException.NotSupported("this kernel has no BTF (" + Errno.describe(errno)
                        + "): fentry needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (/sys/kernel/btf/vmlinux)", errno);
            }
            return new KernelBtf(btf);
        }
    }

    /** Whether the kernel has a (not inlined) function of that name that BTF describes. */
    public boolean hasFunction(String name) {
        int id = NativeCall.invoke(() -> (int) Libbpf.BTF_FIND_BY_NAME_KIND.invokeExact(btf, arena.allocateFrom(name), BTF_KIND_FUNC));
        return id > 0;
    }

    /** Frees the parsed BTF. */
    @Override
    public void close() {
        try {
            Libbpf.BTF_FREE.invokeExact(btf);
        } catch (Throwable t) {
            throw NativeCall.rethrow(t);
        } finally {
            arena.close();
        }
    }
}
