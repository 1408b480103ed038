package io.dentrywatch.micrometer;

import io.dentrywatch.core.DentrySample;
import io.dentrywatch.prometheus.Exposition;
import io.dentrywatch.prometheus.MutableClock;
import io.dentrywatch.prometheus.Samples;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A registry reading the meters is what reads the kernel, once per minimum interval. */
class ScrapeTimeReadTest {

    private static final String C0 = "dentry_alloc_total{container=\"/c0\",namespace=\"\",pod=\"\"}";

    private final AtomicReference<DentrySample> current = new AtomicReference<>(Samples.counts(10));
    private final AtomicInteger reads = new AtomicInteger();
    private final MutableClock clock = new MutableClock(Samples.T0);

    private DentryMetrics metrics() {
        return DentryMetrics.builder(() -> {
            reads.incrementAndGet();
            return current.get();
        }).containerResolver(Samples.byPath()).minReadInterval(Duration.ofSeconds(1)).clock(clock).build();
    }

    @Test
    void scrapesWithinTheIntervalShareOneReadAndTheNextScrapeReadsAgain() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics().bindTo(registry);
        registry.scrape();
        registry.scrape();
        assertEquals(1, reads.get());

        current.set(Samples.counts(25));
        clock.advance(Duration.ofSeconds(1));
        Map<String, Double> series = Exposition.series(registry.scrape());

        assertEquals(2, reads.get());
        assertEquals(25.0, series.get(C0));
        assertEquals(2.0, series.get("dentry_monitor_reads_total"));
    }

    @Test
    void theBinderHoldsTheMetersStateSoAGarbageCollectionDoesNotLoseIt() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics().bindTo(registry); // no reference to the binder or its state is kept here

        for (int i = 0; i < 3; i++) {
            System.gc();
        }

        Map<String, Double> series = Exposition.series(registry.scrape());
        assertEquals(10.0, series.get(C0));
        assertEquals(1_234_567.0, series.get("node_dentry_count{type=\"total\"}"));
    }
}
