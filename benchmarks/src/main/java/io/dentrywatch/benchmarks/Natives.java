package io.dentrywatch.benchmarks;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where benchmarks/run.sh put the C helpers: {@code target/native} beside {@code target/benchmarks.jar}. */
final class Natives {

    private Natives() {
    }

    static Path binary(String name) {
        String dir = System.getProperty("bench.native");
        Path base;
        if (dir != null) {
            base = Path.of(dir);
        } else {
            try {
                Path jar = Path.of(Natives.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                base = jar.getParent().resolve("native"); // target/benchmarks.jar or target/classes
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        Path binary = base.resolve(name);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("no " + binary + ": build it with benchmarks/run.sh (or -Dbench.native=DIR)");
        }
        return binary;
    }
}
