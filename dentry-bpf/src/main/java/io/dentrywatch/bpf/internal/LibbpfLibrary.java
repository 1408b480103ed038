package io.dentrywatch.bpf.internal;

import io.dentrywatch.bpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Finds {@code libbpf.so.1} once, without failing class initialisation, so a missing library turns
 * into a {@link BpfException.LibraryMissing} with the package to install rather than an
 * {@link ExceptionInInitializerError}, and binds its functions as downcall handles for {@link Libbpf} and
 * {@link LibbpfEvents}.
 */
public final class LibbpfLibrary {

    /** System property naming the library file or path to load instead of {@code libbpf.so.1}. */
    static final String PROPERTY = "dentrywatch.libbpf";

    private static final String NAME = System.getProperty(PROPERTY, "libbpf.so.1");
    private static final SymbolLookup LOOKUP = lookup(NAME);

    private LibbpfLibrary() {
    }

    private static SymbolLookup lookup(String name) {
        try {
            return SymbolLookup.libraryLookup(name, Arena.global());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The loaded library; throws {@link BpfException.LibraryMissing} if it could not be loaded. */
    public static SymbolLookup require() {
        if (LOOKUP == null) {
            throw new BpfException.LibraryMissing("cannot load " + NAME
                    + ": install libbpf 1.1 or newer (Debian/Ubuntu: apt-get install libbpf1;"
                    + " RHEL/Fedora: dnf install libbpf), or point -D" + PROPERTY + "= at the library file");
        }
        return LOOKUP;
    }

    /** A downcall handle to a libbpf function that reports failure in its result ({@code -errno}) or not at all. */
    static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(symbol(name), descriptor);
    }

    /**
     * A downcall handle to a libbpf function that reports failure through {@code errno}: the handle takes a
     * {@link Libbpf#CALL_STATE} segment first, which {@link Libbpf#errno} reads.
     */
    static MethodHandle withErrno(String name, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(symbol(name), descriptor, Linker.Option.captureCallState("errno"));
    }

    private static MemorySegment symbol(String name) {
        return require().find(name).orElseThrow(() -> new BpfException.LibraryMissing(
                "libbpf has no " + name + ": libbpf 1.1 or newer is needed (Debian 12+: apt-get install libbpf1)"));
    }
}
