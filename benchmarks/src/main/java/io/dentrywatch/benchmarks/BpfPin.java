package io.dentrywatch.benchmarks;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pins a map in bpffs so that another process (the C reader) opens the very same map: libbpf's
 * {@code bpf_obj_pin}, bound here because only the benchmarks need it. Unpinning is deleting the file.
 */
final class BpfPin implements AutoCloseable {

    private static final MethodHandle OBJ_PIN;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libbpf = SymbolLookup.libraryLookup(System.getProperty("dentrywatch.libbpf", "libbpf.so.1"), Arena.global());
        // int bpf_obj_pin(int fd, const char *pathname)
        OBJ_PIN = linker.downcallHandle(libbpf.find("bpf_obj_pin").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    private final Path path;

    private BpfPin(Path path) {
        this.path = path;
    }

    /** Pins {@code fd} at {@code path} (on a bpffs mount, such as /sys/fs/bpf). */
    static BpfPin pin(int fd, Path path) {
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            rc = (int) OBJ_PIN.invokeExact(fd, arena.allocateFrom(path.toString()));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc < 0) {
            throw new IllegalStateException("bpf_obj_pin " + path + ": errno " + -rc
                    + " (is bpffs mounted there? mount -t bpf bpf /sys/fs/bpf)");
        }
        return new BpfPin(path);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
