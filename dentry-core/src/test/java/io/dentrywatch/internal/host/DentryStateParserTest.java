package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;
import io.dentrywatch.core.NodeDentryState;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DentryStateParserTest {

    private static final Path FILE = Path.of("/proc/sys/fs/dentry-state");

    @Test
    void currentKernelsReportNegativeDentries() {
        NodeDentryState s = DentryStateParser.parse("56338\t54524\t45\t0\t13447\t0\n", FILE, true);
        assertEquals(new NodeDentryState(56338, 54524, OptionalLong.of(13447)), s);
    }

    @Test
    void kernelsBefore50HaveAPlaceholderNotANegativeCount() {
        NodeDentryState s = DentryStateParser.parse("120334\t101001\t45\t0\t0\t0\n", FILE, false);
        assertEquals(OptionalLong.empty(), s.negative());
        assertEquals(120334, s.total());
        assertEquals(101001, s.unused());
    }

    @Test
    void nrNegativeIsReportedFromLinux50() {
        assertFalse(DentryStateParser.reportsNegative(KernelRelease.parse("4.19.325")));
        assertFalse(DentryStateParser.reportsNegative(KernelRelease.parse("4.20.17")));
        assertTrue(DentryStateParser.reportsNegative(KernelRelease.parse("5.0.21")));
        assertTrue(DentryStateParser.reportsNegative(KernelRelease.parse("6.18.44-fc-v669")));
    }

    @Test
    void fiveFieldKernelsParse() {
        NodeDentryState s = DentryStateParser.parse("1526564907 1500000000 45 0 1400000000\n", FILE, true);
        assertEquals(new NodeDentryState(1526564907L, 1500000000L, OptionalLong.of(1400000000L)), s);
    }

    @Test
    void fourFieldsHaveNoNegativeCount() {
        assertEquals(OptionalLong.empty(), DentryStateParser.parse("10 5 45 0", FILE, true).negative());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "5", "12 7 45"})
    void shortTextIsAClearErrorNamingTheFile(String text) {
        MalformedProcFileException e = assertThrows(MalformedProcFileException.class,
                () -> DentryStateParser.parse(text, FILE, true));
        assertEquals(FILE, e.file());
        assertTrue(e.getMessage().startsWith("/proc/sys/fs/dentry-state: expected at least 4 numbers"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"12 x 45 0 3 0", "12 7 45 0 -3 0", "12 7 45 0 3 0.5", "99999999999999999999 1 2 3"})
    void nonNumbersAreAClearErrorNamingTheField(String text) {
        MalformedProcFileException e = assertThrows(MalformedProcFileException.class,
                () -> DentryStateParser.parse(text, FILE, true));
        assertTrue(e.getMessage().contains("/proc/sys/fs/dentry-state"), e.getMessage());
        assertTrue(e.getMessage().matches(".*(nr_unused|nr_negative|dummy|nr_dentry).*"), e.getMessage());
    }

    @Test
    void theRealFileReadsWhole() {
        // sysctl files answer only the first read(2): a reader that starts small gets one byte
        String text = ProcFiles.read(FILE);
        NodeDentryState s = DentryStateParser.parse(text, FILE, true);
        assertTrue(s.total() > 0 && s.unused() <= s.total(), text);
        assertTrue(text.strip().split("\\s+").length >= 5, text);
    }
}
