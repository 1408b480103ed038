package io.dentrywatch.core;

import io.dentrywatch.internal.probe.SourceProbes;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.bpf.BpfMap;
import io.dentrywatch.bpf.BpfObject;
import io.dentrywatch.bpf.BpfProgram;
import io.dentrywatch.bpf.HashMapReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds of negative sources, on a real LRU map of {@code sources.bpf.o} (maps only, no program attached:
 * it runs in every attach mode). Not tagged {@code kernel}: the kernel matrix does not repeat it in every cell
 * (it took 14 s of a 6.1 cell under TCG and proves nothing kernel-specific beyond the LRU hash of 5.10+); it runs
 * with the host's tests, as root, and fails under {@code CI=true} where it cannot.
 */
class NegativeSourcesBoundsTest {

    @BeforeEach
    void preconditions() {
        java.nio.file.Path status = java.nio.file.Path.of("/proc/self/status");
        io.dentrywatch.internal.host.Capabilities caps = io.dentrywatch.internal.host.Capabilities.parseStatus(
                io.dentrywatch.internal.host.ProcFiles.read(status), status);
        KernelTestSupport.require(caps.canTrace(), caps.missingForTracing("the bounds test's BPF maps need root or"));
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
