package io.dentrywatch.micrometer;

import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.oom.OomCgroupStats;
import io.dentrywatch.oom.OomKill;
import io.dentrywatch.oom.OomScope;
import io.dentrywatch.oom.OomStats;
import io.dentrywatch.core.export.OomAdapterBuilder;
import io.dentrywatch.prometheus.Exposition;
import io.dentrywatch.prometheus.MutableClock;
import io.dentrywatch.prometheus.OomSamples;
import io.dentrywatch.prometheus.Promtool;
import io.dentrywatch.prometheus.Samples;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The OOM meters: rendered through Micrometer's Prometheus registry they are dentry-prometheus's OOM
 * families byte for byte; they come with a container's first kill and go with its series.
 */
class OomMetricsTest {

    private static OomAdapterBuilder<OomMetrics> golden(MutableClock clock) {
        return OomMetrics.builder(OomSamples::golden)
                .node(OomSamples.NODE)
                .containerResolver(Samples.resolver())
                .maxContainerSeries(OomSamples.CAP)
                .degraded(List.of(OomSamples.DEGRADED))
                .clock(clock);
    }

    private static PrometheusMeterRegistry boundRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        golden(new MutableClock(Samples.T0)).build().bindTo(registry);
        return registry;
    }

    private static PrometheusRegistry reference() {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(OomSamples.collector());
        return registry;
    }

    @Test
    void textFormatIsTheSameAsDentryPrometheus() {
        assertEquals(Exposition.text(reference().scrape()), boundRegistry().scrape());
    }

    /** Micrometer writes no OpenMetrics {@code # UNIT} lines; everything else is as dentry-prometheus writes it. */
    @Test
    void openMetricsIsTheSameAsDentryPrometheusButForTheUnitLine() {
        String reference = Exposition.openMetrics(reference().scrape());

        assertEquals(List.of("# UNIT oom_memory_usage_bytes bytes"),
                reference.lines().filter(line -> line.startsWith("# UNIT ")).toList());
        assertEquals(reference.replaceAll("(?m)^# UNIT .*\n", ""),
                boundRegistry().scrape(OpenMetricsTextFormatWriter.CONTENT_TYPE));
    }

    @Test
    void promtoolAcceptsItBesideTheDentryMeters() throws Exception {
        PrometheusMeterRegistry registry = boundRegistry();
        DentryMetrics.builder(Samples::golden).clock(new MutableClock(Samples.T0)).build().bindTo(registry);

        Promtool.assertAccepts(registry.scrape());
    }

    @Test
    void aContainersMetersComeWithItsFirstKillAndGoWithItsSeries() {
        MutableClock clock = new MutableClock(Samples.T0);
        AtomicReference<OomStats> stats = new AtomicReference<>(new OomStats(0, 0, List.of()));
        OomMetrics metrics = OomMetrics.builder(stats::get).node("n1").seriesRetention(Duration.ofHours(1))
                .clock(clock).build();
        MeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        assertEquals(0.0, registry.get("oom.kills.per.node").tag("node", "n1").functionCounter().count());
        assertNull(registry.find("oom.kills").functionCounter());

        OomKill kill = new OomKill(Samples.T0, 7, 7, "java", 9, "/payments.slice/api.service", OomScope.MEMORY_CGROUP,
                Map.of(MemoryType.ANON_RSS, 64L << 20, MemoryType.TOTAL_VM, 1L << 30), 0);
        stats.set(new OomStats(1, 0, List.of(new OomCgroupStats(9, kill.cgroupPath(), 1, kill))));
        metrics.refresh();

        assertEquals(1.0, registry.get("oom.kills").tags("node", "n1", "container", "api.service").functionCounter().count());
        assertEquals(64.0 * (1 << 20), registry.get("oom.memory.usage").tags("memory.type", "anon_rss").gauge().value());
        assertEquals(2, registry.find("oom.memory.usage").gauges().size(), "only the types the kernel reported");
        assertEquals(1.0, registry.get("oom.kills.per.node").functionCounter().count());

        clock.advance(Duration.ofHours(1).plusSeconds(1));
        metrics.refresh();

        assertNull(registry.find("oom.kills").functionCounter());
        assertEquals(0, registry.find("oom.memory.usage").gauges().size());
        assertNull(registry.find("oom.last.timestamp").gauge());
        assertEquals(1.0, registry.get("oom.kills.per.node").functionCounter().count());

        metrics.close();
        assertEquals(List.of(), registry.getMeters());
        assertThrows(IllegalStateException.class, () -> metrics.bindTo(new SimpleMeterRegistry()));
    }

    @Test
    void theDegradedPartsAreGaugesAtOne() {
        MeterRegistry registry = new SimpleMeterRegistry();
        golden(new MutableClock(Samples.T0)).build().bindTo(registry);

        assertEquals(1.0, registry.get("oom.watcher.degraded.info").tags("node", OomSamples.NODE, "reason",
                OomSamples.DEGRADED).gauge().value());
    }
}
