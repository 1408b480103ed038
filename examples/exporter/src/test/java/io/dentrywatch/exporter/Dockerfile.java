package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** deploy/Dockerfile's ENTRYPOINT and ENV: the JVM flags and environment the image runs the exporter with, which the end-to-end tests use too. */
final class Dockerfile {

    private Dockerfile() {
    }

    static String text() throws IOException {
        return Files.readString(DeployFiles.dockerfile());
    }

    /** The exec-form ENTRYPOINT's words. */
    static List<String> entrypoint() throws IOException {
        String line = text().lines().filter(l -> l.startsWith("ENTRYPOINT ")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("the Dockerfile has no ENTRYPOINT"));
        List<String> words = new ArrayList<>();
        new ObjectMapper().readTree(line.substring("ENTRYPOINT ".length())).forEach(w -> words.add(w.asText()));
        return words;
    }

    /** The flags between {@code java} and {@code -jar}. */
    static List<String> jvmFlags() throws IOException {
        List<String> words = entrypoint();
        return words.subList(1, words.indexOf("-jar"));
    }

    /** The final image's {@code ENV NAME=value ...} settings (the build stage sets none). */
    static Map<String, String> environment() throws IOException {
        Map<String, String> environment = new HashMap<>();
        text().lines().filter(l -> l.startsWith("ENV ")).forEach(l -> {
            for (String word : l.substring("ENV ".length()).trim().split("\\s+")) {
                int eq = word.indexOf('=');
                if (eq <= 0) {
                    throw new AssertionError("not NAME=value in the Dockerfile's " + l);
                }
                environment.put(word.substring(0, eq), word.substring(eq + 1));
            }
        });
        return environment;
    }

    /** The image's environment with {@code more} added. */
    static Map<String, String> environmentWith(String... more) throws IOException {
        Map<String, String> environment = environment();
        for (int i = 0; i < more.length; i += 2) {
            environment.put(more[i], more[i + 1]);
        }
        return environment;
    }

    /** The {@code -Xmx} value in MiB. */
    static int maxHeapMib() throws IOException {
        String xmx = jvmFlags().stream().filter(f -> f.startsWith("-Xmx")).findFirst().orElseThrow();
        return Integer.parseInt(xmx.substring(4, xmx.length() - 1));
    }
}
