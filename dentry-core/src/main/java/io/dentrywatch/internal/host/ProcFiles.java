package io.dentrywatch.internal.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads {@code /proc} and {@code /sys} text files. They report a size of 0, and sysctl files such as
 * {@code dentry-state} answer only the first {@code read(2)}: a reader that starts with a 1-byte read
 * (as {@code Files.readString} does for size-0 files) gets the first byte and then EOF. One large
 * read gets the whole text.
 */
public final class ProcFiles {

    private ProcFiles() {
    }

    public static String read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
