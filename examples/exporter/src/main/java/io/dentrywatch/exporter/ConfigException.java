package io.dentrywatch.exporter;

import java.io.Serial;

/** A setting has a value the exporter cannot use; the message names the setting, the value and what it takes. */
public final class ConfigException extends Exception {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A configuration error.
     *
     * @param message what is wrong and what would be right, for example
     *                {@code METRICS_PORT=abc: not a port number (1-65535)}
     */
    public ConfigException(String message) {
        super(message);
    }
}
