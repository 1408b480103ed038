package io.dentrywatch.exporter;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    private static String error(String... args) {
        return assertThrows(ConfigException.class, () -> CommandLine.parse(args)).getMessage();
    }

    @Test
    void bothSpellingsAndHelp() throws ConfigException {
        CommandLine line = CommandLine.parse("--metrics-port=1", "--node-name", "n", "-h");

        assertTrue(line.help());
        assertEquals(Map.of(Setting.METRICS_PORT, "1", Setting.NODE_NAME, "n"), line.values());
        assertFalse(CommandLine.parse().help());
    }

    @Test
    void aValueMayContainEqualsSigns() throws ConfigException {
        assertEquals("a=b", CommandLine.parse("--node-name=a=b").values().get(Setting.NODE_NAME));
    }

    @Test
    void mistakesAreNamed() {
        assertEquals("--port: unknown option; --help lists the options", error("--port=1"));
        assertEquals("9090: unexpected argument; --help lists the options", error("9090"));
        assertEquals("--metrics-port: needs a value (--metrics-port=VALUE); --help lists the values",
                error("--metrics-port"));
        assertEquals("--metrics-port: needs a value (--metrics-port=VALUE); --help lists the values",
                error("--metrics-port", "--log-level=info"));
        assertEquals("--metrics-address: needs a value (--metrics-address=VALUE); --help lists the values",
                error("--metrics-address="));
        assertEquals("--log-level: given twice; give it once", error("--log-level=info", "--log-level=debug"));
    }

    @Test
    void everySettingHasItsOwnOptionAndVariable() {
        for (Setting s : Setting.values()) {
            assertEquals(s, Setting.ofOption(s.option()).orElseThrow());
            assertEquals("--" + s.variable().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), s.option());
        }
    }
}
