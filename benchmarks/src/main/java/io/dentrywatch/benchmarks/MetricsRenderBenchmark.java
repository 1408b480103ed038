package io.dentrywatch.benchmarks;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.core.CgroupKey;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentryReclaim;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import io.dentrywatch.prometheus.DentryCollector;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rendering {@code /metrics} for {@code containers} containers: a {@link DentryCollector} (the
 * exporter's, with the default cgroup-path resolver and a series cap of 1,000) over one fixed sample of
 * that many kubepods cgroups (systemd driver, containerd; two containers per pod; tracepoint mode's
 * counters), read at every scrape ({@code minReadInterval} 0), written by client_java's Prometheus text
 * or OpenMetrics writer into a reused buffer. {@code collect} is the snapshots alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MetricsRenderBenchmark {

    @Param({"1000"})
    public int containers;

    @Param({"text", "openmetrics"})
    public String format;

    private PrometheusRegistry registry;
    private ExpositionFormatWriter writer;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        DentrySample sample = fixedSample(containers);
        registry = new PrometheusRegistry();
        registry.register(DentryCollector.builder(() -> sample)
                .minReadInterval(Duration.ZERO)
                .maxContainerSeries(1_000)
                .build());
        writer = format.equals("text") ? PrometheusTextFormatWriter.create() : OpenMetricsTextFormatWriter.create();
        int size = render();
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        long series = text.lines().filter(l -> l.startsWith("dentry_alloc_total{")).count();
        if (series != Math.min(containers, 1_000)) {
            throw new IllegalStateException(series + " dentry_alloc_total series for " + containers + " containers");
        }
        System.out.println("/metrics (" + format + "): " + size + " bytes, " + series + " dentry_alloc_total series");
    }

    @Benchmark
    public MetricSnapshots collect() {
        return registry.scrape();
    }

    @Benchmark
    public int render() throws IOException {
        out.reset();
        writer.write(out, registry.scrape());
        return out.size();
    }

    static DentrySample fixedSample(int containers) {
        List<CgroupDentryCounts> cgroups = new ArrayList<>(containers);
        for (int i = 0; i < containers; i++) {
            int pod = i / 2;
            String uid = String.format(Locale.ROOT, "%08x-1234-5678-9abc-%012x", pod, pod);
            String containerId = String.format(Locale.ROOT, "%064x", 0xc0ffee00L + i);
            String path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid.replace('-', '_')
                    + ".slice/cri-containerd-" + containerId + ".scope";
            cgroups.add(new CgroupDentryCounts(100_000 + i, path, 1_000_000L + 37L * i, 0, 0, 0, 12L * i));
        }
        SamplerInfo info = new SamplerInfo(AttachMode.TRACEPOINT, "6.18.44", "v2", CgroupKey.V2, "bench", List.of());
        DentryReclaim reclaim = new DentryReclaim(120, 40_000, 35_000, Duration.ofMillis(250),
                Collections.nCopies(40, 3L), 0, 0);
        return new DentrySample(Instant.now(), info,
                EnumSet.of(DentryCounter.ALLOC, DentryCounter.FREED, DentryCounter.RECLAIM, DentryCounter.RECLAIMED),
                new NodeDentryState(5_000_000, 3_000_000, OptionalLong.of(2_000_000)), cgroups, 900_000, reclaim, 0,
                Duration.ofMillis(2));
    }
}
