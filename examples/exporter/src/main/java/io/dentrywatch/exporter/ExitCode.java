package io.dentrywatch.exporter;

/** The exporter's exit codes; a SIGTERM ends it with the JVM's 143 after a clean shutdown. */
public enum ExitCode {
    /** {@code --help}, or a normal end. */
    OK(0),
    /** An unexpected failure at startup; the message says what failed. */
    FAILURE(1),
    /** A setting has a value the exporter cannot use; the message names it and its valid values. */
    INVALID_CONFIGURATION(2),
    /** The metrics port cannot be listened on (in use, or the address is not this node's). */
    CANNOT_LISTEN(3),
    /** The forced attach mode cannot be used, or the node's procfs cannot be read. */
    CANNOT_MONITOR(4);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /**
     * The process exit status.
     *
     * @return 0-255
     */
    public int code() {
        return code;
    }
}
