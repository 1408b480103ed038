package io.dentrywatch.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

/**
 * Finds {@code libbpf.so.1} once, without failing class initialisation, so a missing library turns
 * into a {@link BpfException.LibraryMissing} with the package to install rather than an
 * {@link ExceptionInInitializerError}.
 */
final class LibbpfLibrary {

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
    static SymbolLookup require() {
        if (LOOKUP == null) {
            throw new BpfException.LibraryMissing("cannot load " + NAME
                    + ": install libbpf 1.1 or newer (Debian/Ubuntu: apt-get install libbpf1;"
                    + " RHEL/Fedora: dnf install libbpf), or point -D" + PROPERTY + "= at the library file");
        }
        return LOOKUP;
    }
}
