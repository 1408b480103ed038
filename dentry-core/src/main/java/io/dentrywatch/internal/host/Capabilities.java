package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;

import java.nio.file.Path;

/** The effective capabilities of this process, from the {@code CapEff} line of {@code /proc/self/status}. */
public record Capabilities(long effective) {

    public static final int CAP_SYS_ADMIN = 21;
    public static final int CAP_PERFMON = 38;
    public static final int CAP_BPF = 39;

    public static Capabilities parseStatus(String status, Path file) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                String hex = line.substring("CapEff:".length()).strip();
                try {
                    return new Capabilities(Long.parseUnsignedLong(hex, 16));
                } catch (NumberFormatException e) {
                    throw new MalformedProcFileException(file, "CapEff is not hexadecimal: \"" + hex + "\"", line);
                }
            }
        }
        throw new MalformedProcFileException(file, "no CapEff line", status);
    }

    public boolean has(int capability) {
        return (effective & (1L << capability)) != 0;
    }

    /** Loading and attaching tracing programs: CAP_BPF with CAP_PERFMON (5.8+), or CAP_SYS_ADMIN. */
    public boolean canTrace() {
        return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
    }

    /**
     * What is missing for {@link #canTrace()}, in words an operator can act on.
     *
     * @param needs who needs it, the start of the sentence: "per-cgroup counts need"
     */
    public String missingForTracing(String needs) {
        return needs + " CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN on kernels before 5.8) to load BPF programs;"
                + " this process has " + (has(CAP_BPF) ? "CAP_BPF" : "no CAP_BPF") + ", "
                + (has(CAP_PERFMON) ? "CAP_PERFMON" : "no CAP_PERFMON") + ": run as root or add the capabilities";
    }
}
