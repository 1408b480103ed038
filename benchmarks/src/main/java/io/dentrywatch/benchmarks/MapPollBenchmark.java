package io.dentrywatch.benchmarks;

import io.dentrywatch.bpf.CounterTable;
import io.dentrywatch.bpf.PerCpuMapReader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One poll of the per-CPU cgroup map holding {@code entries} cgroups: {@link PerCpuMapReader#read}
 * into a {@link CounterTable} sized for them (the sampler's steady state), by batch lookup or by key
 * iteration. The map is dentry.bpf.o's {@code cgroup_counts}, loaded alone and filled from user space
 * (capacity: the sampler's default 16,384, or the entry count if larger). ns per entry = score /
 * entries; bytes per poll: {@code -prof gc}, {@code gc.alloc.rate.norm}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MapPollBenchmark {

    @Param({"100", "1000", "10000", "100000"})
    public int entries;

    @Param({"BATCH", "ITERATE"})
    public PerCpuMapReader.Strategy strategy;

    private CountsMap map;
    private PerCpuMapReader reader;
    private CounterTable table;

    @Setup(Level.Trial)
    public void setUp() {
        map = CountsMap.create(entries);
        reader = new PerCpuMapReader(map.map(), strategy);
        table = new CounterTable(reader.fields(), entries);
        int read = reader.read(table);
        if (read != entries || reader.strategy() != strategy) {
            throw new IllegalStateException("read " + read + " of " + entries + " entries by " + reader.strategy());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reader.close();
        map.close();
    }

    @Benchmark
    public int poll() {
        return reader.read(table);
    }
}
