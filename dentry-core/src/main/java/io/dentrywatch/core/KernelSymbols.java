package io.dentrywatch.core;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** The kernel's function symbols from {@code /proc/kallsyms}: what kprobes can be asked to attach to. */
final class KernelSymbols {

    static final Path KALLSYMS = Path.of("/proc/kallsyms");

    private final Set<String> functions;

    private KernelSymbols(Set<String> functions) {
        this.functions = functions;
    }

    static KernelSymbols read() {
        return parse(ProcFiles.read(KALLSYMS));
    }

    /** Lines are {@code address type name [module]}; text symbols have type {@code t} or {@code T}. */
    static KernelSymbols parse(String kallsyms) {
        Set<String> functions = new HashSet<>();
        int start = 0;
        while (start < kallsyms.length()) {
            int end = kallsyms.indexOf('\n', start);
            if (end < 0) {
                end = kallsyms.length();
            }
            int type = kallsyms.indexOf(' ', start) + 1;
            if (type > 0 && type + 2 < end && (kallsyms.charAt(type) == 't' || kallsyms.charAt(type) == 'T')) {
                int nameEnd = kallsyms.indexOf('\t', type + 2);
                functions.add(kallsyms.substring(type + 2, nameEnd < 0 || nameEnd > end ? end : nameEnd));
            }
            start = end + 1;
        }
        return new KernelSymbols(functions);
    }

    boolean hasFunction(String name) {
        return functions.contains(name);
    }
}
