package io.dentrywatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KernelSymbolsTest {

    @Test
    void textSymbolsWithAddressesModulesAndDataIgnored() {
        KernelSymbols s = KernelSymbols.parse("""
                ffffffff816bf630 t super_cache_scan
                ffffffff816dee50 t __d_alloc
                ffffffff816df090 T d_alloc
                ffffffff82a00000 D dentry_stat
                ffffffffc0a01000 t nfs_lookup\t[nfs]
                0000000000000000 t hidden_when_kptr_restricted""");
        assertEquals(0xffffffff816bf630L, s.address("super_cache_scan"));
        assertTrue(s.hasFunction("__d_alloc") && s.hasFunction("d_alloc") && s.hasFunction("nfs_lookup"));
        assertFalse(s.hasFunction("dentry_stat"), "data symbols are not functions");
        assertEquals(0, s.address("hidden_when_kptr_restricted"));
        assertEquals(0, s.address("no_such_function"));
    }

    @Test
    void thisKernelsKallsymsHasTheDcacheFunctions() {
        KernelSymbols s = KernelSymbols.read();
        assertTrue(s.hasFunction("d_alloc"), "/proc/kallsyms lists d_alloc");
        assertTrue(ProcFiles.read(Path.of("/proc/kallsyms")).length() > 100_000);
    }
}
