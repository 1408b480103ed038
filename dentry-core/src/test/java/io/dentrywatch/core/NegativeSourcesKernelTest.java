package io.dentrywatch.core;

import io.dentrywatch.internal.probe.SourceProbes;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.bpf.BpfMap;
import io.dentrywatch.bpf.BpfObject;
import io.dentrywatch.bpf.BpfProgram;
import io.dentrywatch.bpf.HashMapReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Where negative dentries come from, against the running kernel: the top directories of a cgroup that
 * looks up missing names in two directories of a disk file system (the TMPDIR: tmpfs drops negative
 * dentries at once), another cgroup's kept apart; in tracepoint mode, unavailable with the reason. And the
 * bounds: 100,000 distinct directories through the kernel's LRU map and the Java ledger.
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

    /**
     * 100,000 distinct directories written into the kernel's LRU map (capacity 1,000) from user space, in
     * ten rounds each read by the ledger as the sampler reads it: the map never holds more than its
     * capacity, the Java side keeps a bounded number of directories, every cgroup at most K of its own and
     * the node at most its cap, and what was read is all counted (own places plus other).
     */
    @Test
    void theLruAndTheCapsHoldUnder100000Directories() {
        int capacity = 1_000;
        int topK = 5;
        int nodeCap = 20;
        int cgroups = 10;
        try (BpfObject object = BpfObject.openResource(SourceProbes.OBJECT)) {
            for (BpfProgram p : object.programs()) {
                p.setAutoload(false); // the maps alone: this runs in every mode
            }
            object.map(SourceProbes.SOURCES_MAP).setMaxEntries(capacity);
            object.map(".rodata").setInitialValue(SourceProbes.config(false));
            object.load();
            BpfMap map = object.map(SourceProbes.SOURCES_MAP);
            assertEquals(SourcesLedger.KEY_SIZE, map.keySize());
            assertEquals(SourcesLedger.VALUE_SIZE, map.valueSize());
            SourcesLedger ledger = new SourcesLedger(topK, nodeCap, false);
            Set<Long> live = new HashSet<>();
            for (long c = 1; c <= cgroups; c++) {
                live.add(c);
            }
            long read = 0;
            Set<Long> seen = new HashSet<>(); // directories read at least once (the LRU may keep old ones a while)
            Instant t = Instant.parse("2026-12-04T00:00:00Z");
            try (Arena arena = Arena.ofConfined(); HashMapReader reader = new HashMapReader(map)) {
                int perRound = 10_000;
                MemorySegment keys = arena.allocate((long) SourcesLedger.KEY_SIZE * perRound, 8);
                MemorySegment values = arena.allocate((long) SourcesLedger.VALUE_SIZE * perRound, 8);
                byte[] ext4 = "ext4".getBytes(StandardCharsets.US_ASCII);
                for (int round = 0; round < 10; round++) {
                    for (int i = 0; i < perRound; i++) {
                        long dir = (long) round * perRound + i;
                        MemorySegment key = keys.asSlice((long) i * SourcesLedger.KEY_SIZE, SourcesLedger.KEY_SIZE);
                        MemorySegment value = values.asSlice((long) i * SourcesLedger.VALUE_SIZE, SourcesLedger.VALUE_SIZE);
                        key.set(JAVA_LONG, SourcesLedger.KEY_CGROUP, 1 + dir % cgroups);
                        key.set(JAVA_LONG, SourcesLedger.KEY_INO, dir);
                        key.set(JAVA_INT, SourcesLedger.KEY_DEV, 42);
                        value.set(JAVA_LONG, SourcesLedger.VALUE_LOOKUPS, 1 + dir % 7);
                        value.set(JAVA_INT, SourcesLedger.VALUE_DEPTH, 1);
                        MemorySegment.copy(ext4, 0, value, JAVA_BYTE, SourcesLedger.VALUE_FSTYPE, ext4.length);
                        byte[] n = ("d" + dir + "\0").getBytes(StandardCharsets.US_ASCII);
                        MemorySegment.copy(n, 0, value, JAVA_BYTE, SourcesLedger.VALUE_NAMES, n.length);
                    }
                    map.updateBatch(keys, values, perRound); // one system call: the LRU evicts as it goes
                    t = t.plusSeconds(30);
                    ledger.begin(t);
                    long[] sum = {0};
                    int entries = reader.read((k, v) -> {
                        if (seen.add(k.get(JAVA_LONG, SourcesLedger.KEY_INO))) {
                            sum[0] += v.get(JAVA_LONG, SourcesLedger.VALUE_LOOKUPS); // an entry counts once
                        }
                        ledger.entry(k, v);
                    });
                    read += sum[0];
                    NegativeSources sources = ledger.end(live, id -> "/c" + id, 0);
                    assertTrue(entries <= capacity, "round " + round + ": the LRU map holds " + entries);
                    assertTrue(sources.kernelEntries() <= capacity, sources.kernelEntries() + " entries");
                    assertTrue(sources.trackedDirectories() <= Math.max(64, 4 * nodeCap),
                            "round " + round + ": Java tracks " + sources.trackedDirectories() + " directories");
                    int own = 0;
                    long counted = 0;
                    for (CgroupNegativeSources c : sources.cgroups()) {
                        assertTrue(c.directories().size() <= topK, c.toString());
                        own += c.directories().size();
                        counted += c.total();
                    }
                    assertTrue(own <= nodeCap, own + " directories with their own count on the node");
                    assertEquals(read, counted, "round " + round + ": every lookup read is counted once");
                }
            }
            System.out.printf("100,000 directories through a %,d-entry LRU: %,d lookups read and counted%n", capacity, read);
        }
    }
}
