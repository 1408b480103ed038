package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where this host mounts its cgroup hierarchies, from {@code /proc/self/mountinfo}: the unified (v2)
 * hierarchy, the v1 memory hierarchy, and so the host's cgroup mode.
 *
 * @param unified the cgroup2 mount point, if any
 * @param memory  the v1 memory controller's mount point, if any
 * @param hasV1   whether any v1 hierarchy is mounted
 */
public record CgroupMounts(Optional<Path> unified, Optional<Path> memory, boolean hasV1) {

    /** {@code v2}, {@code hybrid} (v1 controllers with a v2 hierarchy beside them) or {@code v1}. */
    public String mode() {
        if (unified.isPresent()) {
            return hasV1 ? "hybrid" : "v2";
        }
        return "v1";
    }

    public static CgroupMounts parse(String mountinfo, Path file) {
        Path unified = null;
        Path memory = null;
        boolean hasV1 = false;
        for (String line : mountinfo.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            int dash = indexOf(f, "-");
            if (f.length < 5 || dash < 0 || dash + 1 >= f.length) {
                throw new MalformedProcFileException(file, "a line without the \" - \" separator", line);
            }
            String root = f[3];
            Path mountPoint = Path.of(unescape(f[4]));
            String fsType = f[dash + 1];
            String superOptions = dash + 3 < f.length ? f[dash + 3] : "";
            if (!root.equals("/")) {
                continue; // a bind mount of a sub-hierarchy (inside containers) does not see every cgroup
            }
            if (fsType.equals("cgroup2") && unified == null) {
                unified = mountPoint;
            } else if (fsType.equals("cgroup")) {
                hasV1 = true;
                if (memory == null && hasOption(superOptions, "memory")) {
                    memory = mountPoint;
                }
            }
        }
        return new CgroupMounts(Optional.ofNullable(unified), Optional.ofNullable(memory), hasV1);
    }

    private static int indexOf(String[] fields, String wanted) {
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals(wanted)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean hasOption(String options, String option) {
        for (String o : options.split(",")) {
            if (o.equals(option)) {
                return true;
            }
        }
        return false;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
