package io.dentrywatch.core;

import io.dentrywatch.internal.host.Capabilities;
import io.dentrywatch.internal.host.CgroupMounts;
import io.dentrywatch.internal.host.ProcFiles;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Preconditions of the kernel tests. Outside CI a missing precondition skips the test; under
 * {@code CI=true} it fails it, because a kernel test that cannot run proves nothing.
 */
public final class KernelTestSupport {

    /** System property the VM matrix sets to force an attach mode. */
    public static final String MODE_PROPERTY = "dentrywatch.test.attachMode";

    private KernelTestSupport() {
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The attach mode the kernel tests use: forced by the VM matrix, AUTO otherwise. */
    public static AttachMode attachMode() {
        return AttachMode.valueOf(System.getProperty(MODE_PROPERTY, "AUTO").toUpperCase(java.util.Locale.ROOT));
    }

    /** Fails under CI, skips otherwise, when {@code condition} does not hold. */
    public static void require(boolean condition, String why) {
        if (condition) {
            return;
        }
        if (inCi()) {
            fail("kernel test cannot run under CI=true: " + why);
        }
        Assumptions.abort(why);
    }

    /**
     * Where to create a cgroup that is its own memory cgroup: the v1 memory hierarchy where there is
     * one, else a child of the v2 root with the memory controller enabled for its children (the
     * caller removes it).
     */
    public static Path memoryCgroupParent(Path unified, String name) throws java.io.IOException {
        CgroupMounts mounts = CgroupMounts.parse(ProcFiles.read(Path.of("/proc/self/mountinfo")), Path.of("/proc/self/mountinfo"));
        if (mounts.memory().isPresent()) {
            return mounts.memory().get();
        }
        Path parent = Files.createDirectories(unified.resolve(name + "-memcg"));
        Files.writeString(unified.resolve("cgroup.subtree_control"), "+memory");
        Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory");
        return parent;
    }

    /** Limits a memory cgroup: {@code memory.max} on v2, {@code memory.limit_in_bytes} on v1. */
    public static void limitMemory(Path cgroup, long bytes) throws java.io.IOException {
        Path v2 = cgroup.resolve("memory.max");
        Files.writeString(Files.exists(v2) ? v2 : cgroup.resolve("memory.limit_in_bytes"), Long.toString(bytes));
    }

    /** Root (for BPF and for creating cgroups) and a cgroup v2 hierarchy to create cgroups in. */
    public static Path requireRootAndUnifiedCgroup() {
        Capabilities caps = Capabilities.parseStatus(ProcFiles.read(Path.of("/proc/self/status")), Path.of("/proc/self/status"));
        require(caps.canTrace(), caps.missingForTracing("kernel tests need root or"));
        CgroupMounts mounts = CgroupMounts.parse(ProcFiles.read(Path.of("/proc/self/mountinfo")), Path.of("/proc/self/mountinfo"));
        require(mounts.unified().isPresent(), "no cgroup2 hierarchy is mounted");
        Path unified = mounts.unified().orElseThrow();
        require(Files.isWritable(unified), unified + " is not writable");
        return unified;
    }
}
