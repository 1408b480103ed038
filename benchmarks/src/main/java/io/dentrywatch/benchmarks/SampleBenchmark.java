package io.dentrywatch.benchmarks;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.core.CgroupKey;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.DentrySampler;
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
 * {@link DentrySampler#sample()} end to end with {@code cgroups} real cgroups: created in the cgroup2
 * hierarchy, each made to allocate dentries once (so each is an entry of the kernel map), the sampler
 * attached in tracepoint mode counting by v2 cgroup. A sample reads {@code /proc/sys/fs/dentry-state},
 * the cgroup map (batch lookup), the node counters and the reclaim histogram, then resolves every
 * cgroup id to its path (cached after the first sample) and checks each cgroup whose counts stood still
 * for removal (a stat of its directory: in this steady state all of them), and builds the sample.
 * The map read alone is {@link MapPollBenchmark}'s. The map also holds whatever else on the host
 * allocated dentries while the benchmark ran (a few cgroups).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SampleBenchmark {

    @Param({"1000"})
    public int cgroups;

    private TestCgroups testCgroups;
    private DentrySampler sampler;

    @Setup(Level.Trial)
    public void setUp() {
        testCgroups = TestCgroups.create("dwbench-sample", cgroups);
        try {
            sampler = DentrySampler.builder()
                    .attachMode(AttachMode.TRACEPOINT)
                    .cgroupKey(CgroupKey.V2)
                    .build();
            testCgroups.visit(4);
            DentrySample sample = sampler.sample();
            long ours = sample.cgroups().stream()
                    .filter(c -> c.path().startsWith(testCgroups.relativeParent() + "/") && c.allocations() > 0)
                    .count();
            if (ours != cgroups) {
                throw new IllegalStateException("the sample holds " + ours + " of the " + cgroups + " cgroups under "
                        + testCgroups.relativeParent() + ": " + sample.cgroups().stream().limit(5).map(CgroupDentryCounts::path).toList());
            }
            System.out.println("sample of " + sample.cgroups().size() + " cgroups (" + ours + " created here), mode "
                    + sampler.mode() + ", read in " + sample.readTime().toNanos() / 1000 + " us");
        } catch (RuntimeException e) {
            tearDown();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (sampler != null) {
            sampler.close();
        }
        testCgroups.close();
    }

    @Benchmark
    public DentrySample sample() {
        return sampler.sample();
    }
}
