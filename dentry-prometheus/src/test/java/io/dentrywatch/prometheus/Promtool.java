package io.dentrywatch.prometheus;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs {@code promtool check metrics} (Debian's {@code prometheus} package) over an exposition;
 * dentry-micrometer's tests use it too.
 */
public final class Promtool {

    /**
     * promtool's naming lint objects to a name the metric contract (the README's "Metrics" section) fixes; every other
     * line it prints is a failure.
     */
    static final Set<String> CONTRACT_NAMES_PROMTOOL_DISLIKES = Set.of(
            "node_dentry_count non-histogram and non-summary metrics should not have \"_count\" suffix");

    /** promtool's exit code when it parsed the input but its lint found problems. */
    private static final int LINT_PROBLEMS = 3;

    /**
     * The promtool on PATH; aborts the test if there is none, or fails it under {@code CI=true}.
     *
     * @return promtool's path
     */
    public static Path require() {
        Path promtool = find().orElse(null);
        if (promtool == null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("promtool is not on PATH; install Debian's prometheus package (apt-get install -y prometheus)");
            }
            Assumptions.abort("promtool is not on PATH (apt-get install -y prometheus); skipped outside CI");
        }
        return promtool;
    }

    /**
     * Fails unless promtool accepts the exposition, but for {@link #CONTRACT_NAMES_PROMTOOL_DISLIKES}.
     *
     * @param exposition Prometheus text format
     */
    public static void assertAccepts(String exposition) throws IOException, InterruptedException {
        Path promtool = require();
        Path input = Files.createTempFile("dentrywatch-", ".prom");
        try {
            Files.writeString(input, exposition);
            Process process = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectInput(input.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            List<String> problems = output.lines().filter(line -> !line.isBlank())
                    .filter(line -> !CONTRACT_NAMES_PROMTOOL_DISLIKES.contains(line.strip())).toList();
            assertEquals(List.of(), problems, "promtool check metrics reported problems:\n" + output);
            assertTrue(exit == 0 || exit == LINT_PROBLEMS && !output.isBlank(),
                    "promtool check metrics exited " + exit + ":\n" + output);
        } finally {
            Files.deleteIfExists(input);
        }
    }

    private static Optional<Path> find() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private Promtool() {
    }
}
