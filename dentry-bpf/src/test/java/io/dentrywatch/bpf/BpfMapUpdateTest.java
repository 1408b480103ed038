package io.dentrywatch.bpf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link BpfObject#programs()} and {@link BpfMap#type()} against the objects' C sources, and {@link BpfMap#update} against
 * what {@link PerCpuMapReader} (both walks) and {@link PerCpuArrayReader} then read back and what the kernel refuses.
 */
class BpfMapUpdateTest {

    private static final String COUNTS_MAP = "cgroup_counts";

    @Test
    void programsListsEveryProgramOfTheSource() throws IOException {
        // the oracle: every SEC("...") of dentry.bpf.c that is neither a map nor the license
        String source = Files.readString(Path.of("src/main/bpf/dentry.bpf.c"));
        Matcher m = Pattern.compile("SEC\\(\"([^\"]+)\"\\)\\s*\\n?\\s*int\\s+(?:BPF_\\w+\\()?(\\w+)").matcher(source);
        List<String> expected = m.results().map(r -> r.group(2)).sorted().toList();
        assertTrue(expected.size() > 10, "the pattern finds the programs: " + expected);
        try (BpfObject object = BpfObject.openResource("dentry.bpf.o")) {
            List<String> names = object.programs().stream().map(BpfProgram::name).sorted().toList();
            assertEquals(expected, names);
        }
    }

    @Test
    void everyMapOfTheSourcesHasItsType() throws IOException {
        // the oracle: each struct { __uint(type, BPF_MAP_TYPE_X); ... } name SEC(".maps") of an object's source and its headers
        Pattern map = Pattern.compile("__uint\\(type,\\s*BPF_MAP_TYPE_(\\w+)\\);[^}]*}\\s*(\\w+)\\s+SEC\\(\"\\.maps\"\\)");
        Pattern include = Pattern.compile("#include \"(\\w+\\.h)\"");
        int checked = 0;
        for (String object : List.of("dentry", "oom", "oom_perf")) {
            Path dir = Path.of("src/main/bpf");
            StringBuilder source = new StringBuilder(Files.readString(dir.resolve(object + ".bpf.c")));
            for (String header : include.matcher(source.toString()).results().map(r -> r.group(1)).toList()) {
                source.append(Files.readString(dir.resolve(header)));
            }
            try (BpfObject bpf = BpfObject.openResource(object + ".bpf.o")) {
                for (MatchResult r : map.matcher(source).results().toList()) {
                    assertEquals(Optional.of(MapType.valueOf(r.group(1))), bpf.map(r.group(2)).type(), object + " " + r.group(2));
                    checked++;
                }
            }
        }
        assertTrue(checked > 10, "the pattern finds the maps: " + checked);
        try (BpfObject dentry = BpfObject.openResource("dentry.bpf.o")) {
            assertEquals(Optional.of(MapType.ARRAY), dentry.map(".rodata").type(), "global data");
        }
    }

    @Test
    void updatedPerCpuValuesAreReadBackSummedByBothWalks() {
        requireBpf();
        int cpus = PerCpuMapReader.possibleCpus();
        try (BpfObject object = mapsOnly(64); Arena arena = Arena.ofConfined()) {
            BpfMap map = object.map(COUNTS_MAP);
            int fields = map.valueSize() / 8;
            MemorySegment key = arena.allocate(8, 8);
            MemorySegment value = arena.allocate(8L * fields * cpus, 8);
            long[] keys = {7, 1L << 40, 123_456_789};
            for (long k : keys) {
                key.set(JAVA_LONG, 0, k);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    for (int f = 0; f < fields; f++) {
                        value.setAtIndex(JAVA_LONG, (long) cpu * fields + f, (k % 1000 * 10 + f) * (cpu + 1));
                    }
                }
                map.update(key, value, UpdateFlag.NOEXIST);
            }
            for (PerCpuMapReader.Strategy strategy : PerCpuMapReader.Strategy.values()) {
                try (PerCpuMapReader reader = new PerCpuMapReader(map, strategy)) {
                    CounterTable table = new CounterTable(fields, 1);
                    assertEquals(keys.length, reader.read(table), strategy.name());
                    for (int row = 0; row < table.size(); row++) {
                        long k = table.key(row);
                        assertTrue(k == keys[0] || k == keys[1] || k == keys[2], "key " + k);
                        for (int f = 0; f < fields; f++) {
                            assertEquals((k % 1000 * 10 + f) * cpus * (cpus + 1L) / 2, table.value(row, f),
                                    strategy + " key " + k + " field " + f);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aBatchBufferHoldsAtMostAMebibyteOfValuesButAtLeast32Entries() {
        assertEquals(1024, PerCpuMapReader.chunkFor(72L * 2, 16_384), "2 CPUs: the batch is not what bounds it");
        assertEquals(227, PerCpuMapReader.chunkFor(72L * 64, 16_384), "64 CPUs: 1 MiB / 4,608 bytes");
        assertEquals(75, PerCpuMapReader.chunkFor(72L * 192, 16_384), "192 CPUs");
        assertEquals(32, PerCpuMapReader.chunkFor(72L * 8192, 16_384), "never fewer than 32");
        assertEquals(64, PerCpuMapReader.chunkFor(72L * 2, 64), "never more than the map holds");
    }

    @Test
    void manySmallBatchesAndBucketsLargerThanABatchReadEveryEntry() {
        requireBpf();
        int cpus = PerCpuMapReader.possibleCpus();
        int entries = 2_500;
        try (BpfObject object = mapsOnly(3_000); Arena arena = Arena.ofConfined()) {
            BpfMap map = object.map(COUNTS_MAP);
            int fields = map.valueSize() / 8;
            MemorySegment key = arena.allocate(8, 8);
            MemorySegment value = arena.allocate(8L * fields * cpus, 8);
            for (long k = 1; k <= entries; k++) {
                key.set(JAVA_LONG, 0, k * 7919);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    value.setAtIndex(JAVA_LONG, (long) cpu * fields, k);
                }
                map.update(key, value, UpdateFlag.NOEXIST);
            }
            // 32 entries a batch: 79 batch calls; 1 entry a batch: the first bucket of two makes the kernel answer
            // ENOSPC, and the read walks key by key instead
            for (int chunk : new int[] {32, 1}) {
                try (PerCpuMapReader reader = new PerCpuMapReader(map, PerCpuMapReader.Strategy.BATCH, chunk)) {
                    CounterTable table = new CounterTable(fields, 16);
                    assertEquals(entries, reader.read(table), "chunk " + chunk);
                    long keySum = 0;
                    for (int row = 0; row < table.size(); row++) {
                        assertEquals(table.key(row) / 7919 * cpus, table.value(row, 0), "key " + table.key(row));
                        keySum += table.key(row) / 7919;
                    }
                    assertEquals((long) entries * (entries + 1) / 2, keySum, "every key once, chunk " + chunk);
                    assertEquals(PerCpuMapReader.Strategy.BATCH, reader.strategy(), "a bucket too big for one read only");
                }
            }
        }
    }

    @Test
    void theKernelsRefusalsAreReported() {
        requireBpf();
        int cpus = PerCpuMapReader.possibleCpus();
        try (BpfObject object = mapsOnly(2); Arena arena = Arena.ofConfined()) {
            BpfMap map = object.map(COUNTS_MAP);
            MemorySegment key = arena.allocate(8, 8);
            MemorySegment value = arena.allocate((long) map.valueSize() * cpus, 8);
            key.set(JAVA_LONG, 0, 1);
            map.update(key, value, UpdateFlag.ANY);
            assertEquals(Errno.EEXIST.number(), assertThrows(BpfException.Failure.class,
                    () -> map.update(key, value, UpdateFlag.NOEXIST)).errno());
            key.set(JAVA_LONG, 0, 2);
            assertThrows(BpfException.NotFound.class, () -> map.update(key, value, UpdateFlag.EXIST));
            map.update(key, value, UpdateFlag.ANY);
            key.set(JAVA_LONG, 0, 3);
            assertEquals(Errno.E2BIG.number(), assertThrows(BpfException.Failure.class,
                    () -> map.update(key, value, UpdateFlag.ANY)).errno(), "a full map");
            assertThrows(IllegalArgumentException.class,
                    () -> map.update(key, value.asSlice(0, map.valueSize()), UpdateFlag.ANY),
                    "one CPU's value is too small for a per-CPU map");
        }
    }

    @Test
    void aPerCpuArrayElementIsSummedFieldByFieldWithOneLookup() {
        requireBpf();
        int cpus = PerCpuMapReader.possibleCpus();
        try (BpfObject object = mapsOnly(2); Arena arena = Arena.ofConfined()) {
            BpfMap map = object.map("node_counts");
            int fields = map.valueSize() / 8;
            MemorySegment key = arena.allocate(4, 4);
            MemorySegment value = arena.allocate(8L * fields * cpus, 8);
            for (int cpu = 0; cpu < cpus; cpu++) {
                for (int f = 0; f < fields; f++) {
                    value.setAtIndex(JAVA_LONG, (long) cpu * fields + f, (f + 1) * 100L + cpu);
                }
            }
            map.update(key, value, UpdateFlag.ANY);
            try (PerCpuArrayReader reader = new PerCpuArrayReader(map)) {
                long[] sums = new long[fields];
                reader.sum(0, sums);
                for (int f = 0; f < fields; f++) {
                    assertEquals((f + 1) * 100L * cpus + cpus * (cpus - 1L) / 2, sums[f], "field " + f);
                }
                assertEquals(sums[0], reader.sum(0));
                assertThrows(IllegalArgumentException.class, () -> reader.sum(0, new long[fields + 1]));
            }
        }
    }

    @Test
    void updateNeedsALoadedObject() {
        try (BpfObject object = BpfObject.openResource("dentry.bpf.o"); Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalStateException.class,
                    () -> object.map(COUNTS_MAP).update(arena.allocate(8), arena.allocate(1 << 16), UpdateFlag.ANY));
        }
    }

    /** dentry.bpf.o with every program's autoload off: loading it creates the maps and nothing runs. */
    private static BpfObject mapsOnly(int capacity) {
        BpfObject object = BpfObject.openResource("dentry.bpf.o");
        try {
            object.programs().forEach(p -> p.setAutoload(false));
            object.map(COUNTS_MAP).setMaxEntries(capacity);
            object.load();
            return object;
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** Skips without CAP_BPF (or CAP_SYS_ADMIN); under {@code CI=true} fails instead, as the kernel tests do. */
    private static void requireBpf() {
        boolean capable;
        try {
            String capEff = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:")).findFirst().orElse("CapEff: 0").substring(7).strip();
            BigInteger caps = new BigInteger(capEff, 16);
            capable = caps.testBit(39) || caps.testBit(21);
        } catch (IOException e) {
            capable = false;
        }
        if (!capable) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("kernel test cannot run under CI=true: no CAP_BPF or CAP_SYS_ADMIN");
            }
            Assumptions.abort("needs CAP_BPF (run as root)");
        }
    }
}
