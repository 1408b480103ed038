package io.dentrywatch.bpf.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * tracefs, where classic tracepoints get their ids. libbpf reads {@code events/<category>/<event>/id}
 * from {@code /sys/kernel/tracing} (or debugfs's {@code tracing}); when neither is mounted this mounts
 * tracefs at {@code /sys/kernel/tracing} (root only) or says how to.
 */
public final class Tracefs {

    private static final Path TRACING = Path.of("/sys/kernel/tracing");
    private static final Path DEBUGFS_TRACING = Path.of("/sys/kernel/debug/tracing");

    private static final Linker LINKER = Linker.nativeLinker();
    // int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)
    private static final MethodHandle MOUNT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("mount").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS),
            Linker.Option.captureCallState("errno"));

    private Tracefs() {
    }

    /** Makes sure tracefs is reachable and has the event; throws a clear {@link BpfException} if not. */
    public static void require(String category, String event) {
        if (!mounted(TRACING) && !mounted(DEBUGFS_TRACING)) {
            mount();
        }
        Path base = mounted(TRACING) ? TRACING : DEBUGFS_TRACING;
        if (!Files.exists(base.resolve("events").resolve(category).resolve(event))) {
            throw new BpfException.NotFound("tracepoint " + category + ":" + event + " does not exist in this kernel ("
                    + base.resolve("events") + " has no " + category + "/" + event + ")", Errno.ENOENT);
        }
    }

    private static boolean mounted(Path tracing) {
        return Files.isDirectory(tracing.resolve("events"));
    }

    private static void mount() {
        String how = "tracefs is not mounted: run 'mount -t tracefs nodev /sys/kernel/tracing'"
                + " (in a Kubernetes pod, mount the host's /sys/kernel/tracing as a hostPath volume)";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libbpf.CALL_STATE);
            int rc = (int) MOUNT.invokeExact(state, arena.allocateFrom("nodev"), arena.allocateFrom(TRACING.toString()),
                    arena.allocateFrom("tracefs"), 0L, MemorySegment.NULL);
            if (rc != 0) {
                int errno = Libbpf.errno(state);
                // the raw errno (mount can answer one Errno does not name) travels in the cause
                throw new BpfException.NotSupported(how + "; mounting it here failed with " + Errno.describe(errno),
                        BpfException.fromErrno(errno, "mount tracefs at " + TRACING));
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeCall.rethrow(t);
        }
        if (!mounted(TRACING)) {
            throw new BpfException.NotSupported(how + "; this kernel may lack CONFIG_TRACING", Errno.ENOENT);
        }
    }
}
