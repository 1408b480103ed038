package io.dentrywatch.exporter;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the tests need from the machine. Outside CI a missing precondition skips the test; under
 * {@code CI=true} it fails it, because a test that cannot run proves nothing.
 */
final class Preconditions {

    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    private Preconditions() {
    }

    static void require(boolean condition, String why) {
        if (condition) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("test cannot run under CI=true: " + why);
        }
        Assumptions.abort(why);
    }

    /** An executable on PATH, from the Debian package named. */
    static Path tool(String name, String debianPackage) {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
        require(found.isPresent(), name + " is not on PATH: apt-get install -y " + debianPackage);
        return found.orElseThrow();
    }

    /** Root: CAP_BPF and CAP_PERFMON for the probes, and the right to create cgroups. */
    static void requireBpfPrivileges() throws IOException {
        String capEff = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("CapEff:")).findFirst().orElse("CapEff: 0")
                .substring("CapEff:".length()).strip();
        BigInteger caps = new BigInteger(capEff, 16);
        require(caps.testBit(CAP_BPF) && caps.testBit(CAP_PERFMON),
                "the kernel tests need root (CAP_BPF and CAP_PERFMON); CapEff is " + capEff);
    }
}
