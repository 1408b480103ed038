package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The few kernel function symbols a sampler asks about, from {@code /proc/kallsyms}: whether a kprobe
 * target exists, and the addresses the probes compare function pointers with. Addresses read as 0 when
 * the kernel hides them ({@code kptr_restrict}, or a reader without CAP_SYSLOG).
 *
 * <p>The file is streamed line by line and only the asked-for names are kept: it is 5 MB and over
 * 100,000 lines on a typical kernel, too much to hold in a small heap at start. Unlike the sysctl files
 * ({@link ProcFiles}), kallsyms is a seq_file and reads correctly in chunks of any size. Asking about
 * a name that was not asked for when reading is a programming error, not a missing symbol.
 */
public final class KernelSymbols {

    /** The file {@link #parse(String, Set)} names in its errors: the host's {@code kallsyms} ({@link Host#kallsyms()}) in its own {@code /proc}. */
    public static final Path KALLSYMS = Path.of("/proc/kallsyms");

    private final Set<String> wanted;
    private final Map<String, Long> functions;
    private final Map<String, Long> variables;
    private final int lines;

    private KernelSymbols(Set<String> wanted, Map<String, Long> functions, Map<String, Long> variables, int lines) {
        this.wanted = wanted;
        this.functions = functions;
        this.variables = variables;
        this.lines = lines;
    }

    /** Streams {@code file} ({@link Host#kallsyms()}) once, keeping the text and data symbols named in {@code wanted}. */
    public static KernelSymbols read(Path file, Set<String> wanted) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file), StandardCharsets.US_ASCII), 1 << 16)) {
            return parse(in, file, wanted);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static KernelSymbols parse(String kallsyms, Set<String> wanted) {
        try {
            return parse(new BufferedReader(new StringReader(kallsyms)), KALLSYMS, wanted);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
    }

    /**
     * Lines are {@code address type name[\tmodule]}, the address in hexadecimal and the type one
     * letter; text symbols have type {@code t} or {@code T}. The first of several same-named
     * functions wins, as kprobes resolve names to the first match.
     *
     * @throws MalformedProcFileException a line that is not of that form, or no line at all
     */
    public static KernelSymbols parse(BufferedReader in, Path file, Set<String> wanted) throws IOException {
        Set<String> asked = Set.copyOf(wanted);
        Map<String, Long> functions = new HashMap<>();
        Map<String, Long> variables = new HashMap<>();
        int count = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            count++;
            int space = line.indexOf(' ');
            int nameStart = space + 3;
            if (space <= 0 || line.length() <= nameStart || line.charAt(space + 2) != ' '
                    || line.charAt(space + 1) == ' ' || line.charAt(nameStart) == '\t') {
                throw malformed(file, count, "is not \"address type name\"", line);
            }
            long address;
            try {
                address = Long.parseUnsignedLong(line, 0, space, 16);
            } catch (NumberFormatException e) {
                throw malformed(file, count, "has no hexadecimal address", line);
            }
            char type = line.charAt(space + 1);
            boolean text = type == 't' || type == 'T';
            if (text || "dDbBrR".indexOf(type) >= 0) {
                int tab = line.indexOf('\t', nameStart); // a module name follows a tab
                String name = line.substring(nameStart, tab < 0 ? line.length() : tab);
                if (asked.contains(name)) {
                    (text ? functions : variables).putIfAbsent(name, address);
                }
            }
        }
        if (count == 0) {
            throw new MalformedProcFileException(file, "no symbols at all", "");
        }
        return new KernelSymbols(asked, Map.copyOf(functions), Map.copyOf(variables), count);
    }

    private static MalformedProcFileException malformed(Path file, int number, String problem, String line) {
        return new MalformedProcFileException(file, "line " + number + " " + problem, line);
    }

    /** Whether the kernel has the function (one of those asked for when reading). */
    public boolean hasFunction(String name) {
        check(name);
        return functions.containsKey(name);
    }

    /** The function's address, or 0 if it is unknown or hidden. */
    public long address(String name) {
        check(name);
        return functions.getOrDefault(name, 0L);
    }

    /**
     * A variable's address (a data, bss or read-only symbol: kallsyms shows them only on kernels built with
     * CONFIG_KALLSYMS_ALL), or 0 if it is unknown or hidden.
     */
    public long variableAddress(String name) {
        check(name);
        return variables.getOrDefault(name, 0L);
    }

    /** How many lines the file had: the whole file was read. */
    public int lines() {
        return lines;
    }

    private void check(String name) {
        if (!wanted.contains(name)) {
            throw new IllegalArgumentException(name + " was not among the symbols read from kallsyms: " + wanted);
        }
    }
}
