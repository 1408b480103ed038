package io.dentrywatch.exporter;

import java.io.Serial;
import java.util.Objects;

/** The exporter could not start; the message says what failed and what to do, the exit code which kind it was. */
public final class StartupException extends Exception {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;

    /**
     * A startup failure.
     *
     * @param exitCode the exit code for it
     * @param message  what failed and what to do
     * @param cause    the underlying failure, or {@code null}
     */
    public StartupException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
    }

    /**
     * The exit code for this failure.
     *
     * @return never {@link ExitCode#OK}
     */
    public ExitCode exitCode() {
        return exitCode;
    }
}
