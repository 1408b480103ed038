package io.dentrywatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Where negative dentries come from, against the running kernel: the top directories of a cgroup that
 * looks up missing names in two directories of a disk file system (the TMPDIR: tmpfs drops negative
 * dentries at once), another cgroup's kept apart; in tracepoint mode, unavailable with the reason. The bounds
 * (100,000 directories) are {@link NegativeSourcesBoundsTest}'s.
 */
@Tag("kernel")
class NegativeSourcesKernelTest {

    private static final int IN_ALPHA = 20_000;
    private static final int IN_BETA = 5_000;
    private static final int IN_GAMMA = 3_000;

    private Path unified;
    private String name;

    @BeforeEach
    void preconditions() {
        unified = KernelTestSupport.requireRootAndUnifiedCgroup();
        name = "dentrywatch-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    @Test
    void namesTheDirectoriesACgroupFilledWithNegativeDentries() throws Exception {
        try (DentrySampler sampler = DentrySampler.builder().attachMode(KernelTestSupport.attachMode())
                .cgroupKey(CgroupKey.V2).negativeSources(10).build()) {
            AttachMode mode = sampler.mode();
            AttachMode forced = KernelTestSupport.attachMode();
            if (forced != AttachMode.AUTO) {
                assertEquals(forced, mode, "the forced mode is live");
            }
            NegativeSources first = sampler.sample().negativeSources();
            if (mode == AttachMode.TRACEPOINT || mode == AttachMode.NONE) {
                assertFalse(first.available(), "no dentry hooks in " + mode + " mode");
                String why = first.unavailable().orElseThrow();
                assertTrue(why.contains(mode == AttachMode.TRACEPOINT ? "tracepoint mode" : "node-only"), why);
                assertTrue(sampler.info().degraded().stream().anyMatch(d -> d.contains(why)), sampler.info().degraded().toString());
                System.out.println("negative sources in " + mode + " mode: unavailable: " + why);
                return;
            }
            assertTrue(first.available(), first.unavailable().toString());
            try (TestCgroup a = TestCgroup.create(unified, name + "-a");
                 TestCgroup b = TestCgroup.create(unified, name + "-b")) {
                // a lookup loop ends with a failed test: ";", not "&&", after it
                a.run("mkdir alpha beta && cd alpha && for ((i=0;i<" + IN_ALPHA + ";i++)); do [ -e m$i ]; done;"
                        + " cd ../beta && for ((i=0;i<" + IN_BETA + ";i++)); do [ -e m$i ]; done");
                b.run("mkdir gamma && cd gamma && for ((i=0;i<" + IN_GAMMA + ";i++)); do [ -e m$i ]; done");
                DentrySample sample = sampler.sample();
                NegativeSources sources = sample.negativeSources();
                String fsType = Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir"))).type();
                CgroupNegativeSources ofA = find(sources, a.id());
                CgroupNegativeSources ofB = find(sources, b.id());
                System.out.printf("negative sources in %s mode (%s): %s%n  %s%n", mode, fsType, ofA, ofB);
                assertEquals(a.path(), ofA.path());
                List<DirectorySource> top = ofA.directories();
                assertTrue(top.size() >= 2, top.toString());
                assertDirectory(top.get(0), fsType, "alpha", IN_ALPHA);
                assertDirectory(top.get(1), fsType, "beta", IN_BETA);
                assertTrue(top.stream().noneMatch(d -> d.directory().endsWith("/gamma")), "another cgroup's lookups: " + top);
                assertDirectory(ofB.directories().get(0), fsType, "gamma", IN_GAMMA);
                assertTrue(ofB.directories().stream().noneMatch(d -> d.directory().endsWith("/alpha")
                        || d.directory().endsWith("/beta")), ofB.toString());
                assertTrue(sources.kernelInserts() >= 3, "inserts " + sources.kernelInserts());
            }
        }
    }

    private static void assertDirectory(DirectorySource d, String fsType, String last, int lookups) {
        assertTrue(d.directory().startsWith(fsType + ":") && d.directory().endsWith("/" + last),
                d + " should be the " + fsType + " directory .../" + last);
        assertEquals(fsType, d.fsType());
        assertTrue(Math.abs(d.lookups() - lookups) <= lookups / 50, d + ": lookups within 2% of " + lookups);
        assertEquals(0, d.unlinks(), d.toString());
    }

    private static CgroupNegativeSources find(NegativeSources sources, long id) {
        return sources.cgroups().stream().filter(c -> c.cgroupId() == id).findFirst()
                .orElseThrow(() -> new AssertionError("cgroup " + id + " not in " + sources));
    }
}
