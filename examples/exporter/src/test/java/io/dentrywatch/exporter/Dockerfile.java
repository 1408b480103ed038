package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** deploy/Dockerfile's ENTRYPOINT: the JVM flags the image runs the exporter with, which the end-to-end test uses too. */
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

    /** The {@code -Xmx} value in MiB. */
    static int maxHeapMib() throws IOException {
        String xmx = jvmFlags().stream().filter(f -> f.startsWith("-Xmx")).findFirst().orElseThrow();
        return Integer.parseInt(xmx.substring(4, xmx.length() - 1));
    }
}
