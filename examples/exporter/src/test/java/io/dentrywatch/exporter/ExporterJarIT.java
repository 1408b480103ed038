package io.dentrywatch.exporter;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged jar's command line: help, bad settings, a port in use — each a clear message and exit code. */
class ExporterJarIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private record Run(int exit, String output) {
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        try (ExporterProcess process = ExporterProcess.start(List.of(), env, args)) {
            int exit = process.awaitExit(DEADLINE);
            return new Run(exit, process.output());
        }
    }

    @Test
    void helpListsEverySettingAndExitsZeroWithoutFlags() throws Exception {
        Run help = run(Map.of(), "--help");

        assertEquals(0, help.exit(), help.output());
        for (Setting s : Setting.values()) {
            assertTrue(help.output().contains(s.option() + ", " + s.variable() + " (default: " + s.defaultValue() + ")"),
                    s + " missing:\n" + help.output());
        }
        assertTrue(!help.output().contains("WARNING"), "the manifest enables native access:\n" + help.output());
    }

    @Test
    void anInvalidVariableNamesItAndItsValuesAndExitsTwo() throws Exception {
        Run port = run(Map.of("METRICS_PORT", "abc"));
        Run mode = run(Map.of("ATTACH_MODE", "fast"));

        assertEquals(2, port.exit(), port.output());
        assertEquals("dentrywatch exporter: invalid setting: METRICS_PORT=abc: not a port number (1-65535)\n", port.output());
        assertEquals(2, mode.exit(), mode.output());
        assertEquals("dentrywatch exporter: invalid setting: ATTACH_MODE=fast: not one of auto, fentry, kprobe,"
                + " tracepoint, none\n", mode.output());
    }

    @Test
    void aPortInUseSaysSoAndExitsThree() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run run = run(Map.of("METRICS_ADDRESS", "127.0.0.1", "METRICS_PORT", Integer.toString(taken.getLocalPort()),
                    "ATTACH_MODE", "none"));

            assertEquals(3, run.exit(), run.output());
            assertTrue(run.output().contains("dentrywatch exporter: cannot start: cannot listen on 127.0.0.1:"
                    + taken.getLocalPort() + ": Address already in use. If another process holds port "), run.output());
            assertTrue(!run.output().contains("DentrySampler"), "no probe is loaded before the port is bound:\n" + run.output());
        }
    }
}
