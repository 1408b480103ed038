package io.dentrywatch.core;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel's function symbols from {@code /proc/kallsyms}: what kprobes can attach to, and the
 * addresses the probes compare function pointers with. Addresses read as 0 when the kernel hides
 * them ({@code kptr_restrict}, or a reader without CAP_SYSLOG).
 */
final class KernelSymbols {

    static final Path KALLSYMS = Path.of("/proc/kallsyms");

    private final Map<String, Long> functions;

    private KernelSymbols(Map<String, Long> functions) {
        this.functions = functions;
    }

    static KernelSymbols read() {
        return parse(ProcFiles.read(KALLSYMS));
    }

    /** Lines are {@code address type name [module]}; text symbols have type {@code t} or {@code T}. */
    static KernelSymbols parse(String kallsyms) {
        Map<String, Long> functions = new HashMap<>();
        int start = 0;
        while (start < kallsyms.length()) {
            int end = kallsyms.indexOf('\n', start);
            if (end < 0) {
                end = kallsyms.length();
            }
            int space = kallsyms.indexOf(' ', start, end);
            int type = space + 1;
            if (space > start && type + 2 < end && (kallsyms.charAt(type) == 't' || kallsyms.charAt(type) == 'T')) {
                int nameEnd = kallsyms.indexOf('\t', type + 2, end); // a module name follows a tab
                String name = kallsyms.substring(type + 2, nameEnd < 0 ? end : nameEnd);
                functions.putIfAbsent(name, Long.parseUnsignedLong(kallsyms, start, space, 16));
            }
            start = end + 1;
        }
        return new KernelSymbols(functions);
    }

    boolean hasFunction(String name) {
        return functions.containsKey(name);
    }

    /** The function's address, or 0 if it is unknown or hidden. */
    long address(String name) {
        return functions.getOrDefault(name, 0L);
    }
}
