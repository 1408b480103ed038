package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;
import io.dentrywatch.internal.probe.DentryProbes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KernelSymbolsTest {

    private static final String SAMPLE = """
            ffffffff816bf630 t super_cache_scan
            ffffffff816dee50 t __d_alloc
            ffffffff816df090 T d_alloc
            ffffffff816df0f0 t d_alloc
            ffffffff816e0000 T not_asked_for
            ffffffff82a00000 D dentry_stat
            ffffffffc0a01000 t nfs_lookup\t[nfs]
            0000000000000000 t hidden_when_kptr_restricted
            """;

    private static final Set<String> ASKED = Set.of("super_cache_scan", "__d_alloc", "d_alloc", "dentry_stat",
            "nfs_lookup", "hidden_when_kptr_restricted", "no_such_function");

    @Test
    void keepsTheAskedForTextSymbolsWithAddressesModulesAndDataIgnored() {
        KernelSymbols s = KernelSymbols.parse(SAMPLE, ASKED);
        assertEquals(0xffffffff816bf630L, s.address("super_cache_scan"));
        assertTrue(s.hasFunction("__d_alloc") && s.hasFunction("d_alloc") && s.hasFunction("nfs_lookup"));
        assertEquals(0xffffffff816df090L, s.address("d_alloc"), "the first of same-named functions");
        assertFalse(s.hasFunction("dentry_stat"), "data symbols are not functions");
        assertEquals(0, s.address("hidden_when_kptr_restricted"));
        assertTrue(s.hasFunction("hidden_when_kptr_restricted"), "a hidden address still names a function");
        assertFalse(s.hasFunction("no_such_function"));
        assertEquals(0, s.address("no_such_function"));
        assertEquals(8, s.lines());
    }

    @Test
    void askingAboutASymbolThatWasNotReadIsAnError() {
        KernelSymbols s = KernelSymbols.parse(SAMPLE, ASKED);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.hasFunction("not_asked_for"));
        assertTrue(e.getMessage().contains("not_asked_for"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.address("not_asked_for"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ffffffff816dee50 t",                   // no name
            "ffffffff816dee50 t ",                  // empty name
            "ffffffff816dee50 t \t[nfs]",           // empty name before a module
            "ffffffff816dee50 __d_alloc",           // no type
            "ffffffff816dee50  t __d_alloc",        // two spaces
            "ffffffff816dee50 tt __d_alloc",        // a type of two letters
            " t __d_alloc",                         // no address
            "zzzzffff816dee50 t __d_alloc",         // not hexadecimal
            "ffffffff816dee50ffff t __d_alloc",     // more than 64 bits
            "",                                     // an empty line
            "__d_alloc",                            // a name alone
    })
    void aMalformedLineIsReportedWithItsNumber(String line) {
        MalformedProcFileException e = assertThrows(MalformedProcFileException.class,
                () -> KernelSymbols.parse("ffffffff816bf630 t super_cache_scan\n" + line + "\n", ASKED));
        assertEquals(KernelSymbols.KALLSYMS, e.file());
        assertTrue(e.getMessage().contains("line 2 "), e.getMessage());
    }

    @Test
    void anEmptyFileIsMalformed() {
        assertThrows(MalformedProcFileException.class, () -> KernelSymbols.parse("", ASKED));
    }

    @Test
    void thisKernelsKallsymsIsStreamedWhole() {
        KernelSymbols s = KernelSymbols.read(Host.read(Path.of("/proc")).kallsyms(), Set.of("d_alloc", DentryProbes.SUPER_CACHE_SCAN));
        assertTrue(s.hasFunction("d_alloc"), "/proc/kallsyms lists d_alloc");
        assertTrue(s.hasFunction(DentryProbes.SUPER_CACHE_SCAN));
        // the streamed read saw as many lines as one large read (modules loading in between aside)
        String whole = ProcFiles.read(Path.of("/proc/kallsyms"));
        assertTrue(s.lines() > 10_000, s.lines() + " lines");
        assertEquals(whole.lines().count(), s.lines(), 50);
        String kptrRestrict = ProcFiles.read(Path.of("/proc/sys/kernel/kptr_restrict")).strip();
        if ("root".equals(System.getProperty("user.name")) && !kptrRestrict.equals("2")) {
            assertNotEquals(0, s.address("d_alloc"), "root sees the addresses unless kptr_restrict is 2");
        }
    }
}
