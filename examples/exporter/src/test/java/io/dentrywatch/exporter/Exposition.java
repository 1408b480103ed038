package io.dentrywatch.exporter;

import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads values out of a Prometheus text or OpenMetrics exposition. */
final class Exposition {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)( \\S+)?$");

    private Exposition() {
    }

    /** The value of the first sample of that name whose labels contain every given {@code name="value"}. */
    static OptionalDouble value(String exposition, String name, String... labels) {
        for (String line : exposition.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches() && m.group(1).equals(name)
                    && List.of(labels).stream().allMatch(l -> m.group(2) != null && m.group(2).contains(l))) {
                return OptionalDouble.of(Double.parseDouble(m.group(3)));
            }
        }
        return OptionalDouble.empty();
    }

    /** Whether every line is a comment or a sample, and the text ends as its format requires. */
    static boolean complete(String exposition, boolean openMetrics) {
        if (openMetrics ? !exposition.endsWith("# EOF\n") : !exposition.endsWith("\n")) {
            return false;
        }
        return exposition.lines().allMatch(line -> line.startsWith("# ") || SAMPLE.matcher(line).matches());
    }
}
