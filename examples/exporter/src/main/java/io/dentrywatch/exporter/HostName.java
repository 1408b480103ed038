package io.dentrywatch.exporter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** This host's name, the default node name outside Kubernetes. */
final class HostName {

    private HostName() {
    }

    /**
     * The kernel's host name ({@code uname -n}).
     *
     * @param procRoot where procfs is mounted
     * @return the name, or {@code "unknown"} if procfs cannot tell
     */
    static String read(Path procRoot) {
        // one large read: sysctl files answer only the first read(2)
        try (InputStream in = Files.newInputStream(procRoot.resolve("sys/kernel/hostname"))) {
            String name = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            return name.isEmpty() ? "unknown" : name;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
