package io.dentrywatch.exporter;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class HelpTextTest {

    @Test
    void listsEverySettingWithItsVariableAndDefault() {
        String help = HelpText.render();

        for (Setting s : Setting.values()) {
            assertTrue(help.contains("  " + s.option() + ", " + s.variable() + " (default: " + s.defaultValue() + ")\n"),
                    s + " missing from:\n" + help);
        }
        assertTrue(help.contains("--help, -h"), help);
        assertTrue(help.lines().allMatch(line -> line.length() <= 100), "lines wrap at 100 columns:\n" + help);
    }
}
