package io.dentrywatch.exporter;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code main} does before the exporter runs: help, settings errors, startup failures, logging. */
class ExporterMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Properties properties = new Properties();

    private ExporterMain.Startup start(Map<String, String> env, String... args) {
        return new ExporterMain(env, properties, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).start(args, List.of());
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsTheSettingsAndExitsZero() {
        assertEquals(new ExporterMain.Startup.Exit(ExitCode.OK), start(Map.of(), "--help"));
        assertEquals(HelpText.render(), out.toString(StandardCharsets.UTF_8));
        assertEquals("", err());
    }

    @Test
    void anInvalidVariableExitsTwoNamingIt() {
        assertEquals(new ExporterMain.Startup.Exit(ExitCode.INVALID_CONFIGURATION),
                start(Map.of("METRICS_PORT", "abc")));
        assertEquals("dentrywatch exporter: invalid setting: METRICS_PORT=abc: not a port number (1-65535)\n", err());
        assertTrue(properties.isEmpty(), "logging is configured only once the settings are valid");
    }

    @Test
    void aPortInUseExitsThree() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ExporterMain.Startup startup = start(Map.of("ATTACH_MODE", "none", "METRICS_ADDRESS", "127.0.0.1",
                    "METRICS_PORT", Integer.toString(taken.getLocalPort())));

            assertEquals(new ExporterMain.Startup.Exit(ExitCode.CANNOT_LISTEN), startup);
            assertTrue(err().startsWith("dentrywatch exporter: cannot start: cannot listen on 127.0.0.1:"
                    + taken.getLocalPort() + ": Address already in use."), err());
        }
    }

    @Test
    void anUnreadableProcRootExitsFour() {
        ExporterMain.Startup startup = start(Map.of("ATTACH_MODE", "none", "METRICS_ADDRESS", "127.0.0.1",
                "METRICS_PORT", "1"), "--metrics-port=" + freePort(), "--proc-root=/nonexistent/proc");

        assertEquals(new ExporterMain.Startup.Exit(ExitCode.CANNOT_MONITOR), startup);
        assertTrue(err().startsWith("dentrywatch exporter: cannot start: cannot read the node's procfs under"
                + " /nonexistent/proc: "), err());
        assertTrue(err().contains("Set PROC_ROOT to where the node's /proc is mounted."), err());
    }

    @Test
    void startsAndConfiguresLoggingFromTheLogLevel() throws Exception {
        ExporterMain.Startup startup = start(Map.of("ATTACH_MODE", "none", "METRICS_ADDRESS", "127.0.0.1",
                "LOG_LEVEL", "warn"), "--metrics-port=" + freePort());

        ExporterMain.Startup.Running running = assertInstanceOf(ExporterMain.Startup.Running.class, startup);
        running.exporter().close();
        assertEquals("warn", properties.getProperty("org.slf4j.simpleLogger.defaultLogLevel"));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
