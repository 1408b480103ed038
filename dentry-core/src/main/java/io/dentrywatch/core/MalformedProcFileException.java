package io.dentrywatch.core;

import java.nio.file.Path;

/** A file under {@code /proc} or {@code /sys} did not have the format the kernel documents. */
public final class MalformedProcFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** {@code problem} says what is wrong; {@code text} is what was read (abbreviated in the message). */
    public MalformedProcFileException(Path file, String problem, String text) {
        super(file + ": " + problem + " (read: \"" + abbreviate(text) + "\")");
        this.file = file;
    }

    /** The file that could not be parsed. */
    public Path file() {
        return file;
    }

    private static String abbreviate(String text) {
        String oneLine = text.strip().replace("\n", "\\n");
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 120) + "...";
    }
}
