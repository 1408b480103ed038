package io.dentrywatch.exporter;

import java.util.Locale;

/** How much the exporter logs (SLF4J levels), from {@link Setting#LOG_LEVEL}. */
public enum LogLevel {
    /** Failures only. */
    ERROR,
    /** Failures, degraded parts and OOM kills. */
    WARN,
    /** The startup line, changes of state, shutdown. */
    INFO,
    /** Details for troubleshooting. */
    DEBUG,
    /** Everything, libbpf's messages included. */
    TRACE;

    /**
     * The level as slf4j-simple's {@code defaultLogLevel} property takes it.
     *
     * @return for example {@code info}
     */
    public String slf4jName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
