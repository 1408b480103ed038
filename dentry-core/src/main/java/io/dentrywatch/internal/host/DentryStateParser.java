package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;
import io.dentrywatch.core.NodeDentryState;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Parses {@code /proc/sys/fs/dentry-state}: {@code nr_dentry nr_unused age_limit want_pages
 * nr_negative dummy}. Kernels before 5.0 print a zero placeholder where {@code nr_negative} now is
 * (the field came with "fs/dcache: track and report number of negative dentries", merged for 5.0),
 * so the negative count is only taken from kernels that report it.
 */
public final class DentryStateParser {

    private static final String[] NAMES = {"nr_dentry", "nr_unused", "age_limit", "want_pages", "nr_negative", "dummy"};

    private DentryStateParser() {
    }

    /**
     * Whether this kernel's {@code dentry-state} has {@code nr_negative} in its fifth field.
     *
     * @param kernel the running kernel
     * @return true from Linux 5.0
     */
    public static boolean reportsNegative(KernelRelease kernel) {
        return kernel.atLeast(5, 0);
    }

    public static NodeDentryState parse(String text, Path file, boolean kernelReportsNegative) {
        String[] fields = text.strip().split("\\s+");
        if (fields.length < 4 || fields[0].isEmpty()) {
            throw new MalformedProcFileException(file, "expected at least 4 numbers (nr_dentry nr_unused age_limit"
                    + " want_pages), found " + (fields[0].isEmpty() ? 0 : fields.length), text);
        }
        long[] values = new long[fields.length];
        for (int i = 0; i < fields.length; i++) {
            values[i] = number(fields[i], i < NAMES.length ? NAMES[i] : "field " + (i + 1), file, text);
        }
        OptionalLong negative = kernelReportsNegative && fields.length >= 5 ? OptionalLong.of(values[4]) : OptionalLong.empty();
        return new NodeDentryState(values[0], values[1], negative);
    }

    private static long number(String field, String name, Path file, String text) {
        try {
            long value = Long.parseLong(field);
            if (value < 0) {
                throw new MalformedProcFileException(file, name + " is negative: " + field, text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new MalformedProcFileException(file, name + " is not a number: \"" + field + "\"", text);
        }
    }
}
