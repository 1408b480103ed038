package io.dentrywatch.exporter;

import java.util.Properties;

/**
 * Configures slf4j-simple through its system properties. It reads them when the first logger is
 * created, so {@link #configure} runs before anything logs; a property given with {@code -D} wins.
 */
final class Logging {

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    /**
     * Sets the level and a one-line format with an ISO-8601 timestamp, on standard error.
     *
     * @param level      the default level
     * @param properties the system properties to set ({@code System.getProperties()})
     */
    static void configure(LogLevel level, Properties properties) {
        properties.putIfAbsent(PREFIX + "defaultLogLevel", level.slf4jName());
        properties.putIfAbsent(PREFIX + "showDateTime", "true");
        properties.putIfAbsent(PREFIX + "dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        properties.putIfAbsent(PREFIX + "showThreadName", "false");
        properties.putIfAbsent(PREFIX + "showShortLogName", "true");
        properties.putIfAbsent(PREFIX + "logFile", "System.err");
    }
}
