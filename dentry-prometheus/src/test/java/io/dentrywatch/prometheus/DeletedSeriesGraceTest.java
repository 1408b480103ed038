package io.dentrywatch.prometheus;

import io.dentrywatch.core.DentrySample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A container that goes away stays exported with its last values for the grace period, then goes. */
class DeletedSeriesGraceTest {

    private static final String ALLOC = "dentry_alloc_total";
    private static final String C1 = "{container=\"/c1\",namespace=\"\",pod=\"\"}";

    private final AtomicReference<DentrySample> current = new AtomicReference<>();
    private volatile boolean kernelFails;
    private final MutableClock clock = new MutableClock(Samples.T0);
    private final DentryCollector collector = DentryCollector.builder(this::read)
            .containerResolver(Samples.byPath())
            .minReadInterval(Duration.ZERO)
            .deletedSeriesGrace(Duration.ofMinutes(5))
            .clock(clock)
            .build();

    @Test
    void aGoneContainerKeepsItsLastValueUntilTheGracePeriodHasPassed() {
        current.set(Samples.counts(10, 20));
        Exposition.scrape(collector);

        current.set(Samples.counts(15, -1)); // /c1 is gone from now on
        clock.advance(Duration.ofMinutes(1));
        assertEquals(20.0, Exposition.family(Exposition.scrape(collector), ALLOC).get(C1));

        clock.advance(Duration.ofMinutes(4)); // exactly the grace period since /c1 was last seen
        Map<String, Double> atGrace = Exposition.scrape(collector);
        assertEquals(20.0, Exposition.family(atGrace, ALLOC).get(C1));
        assertEquals(2.0, atGrace.get("dentry_monitor_containers{series=\"own\"}"));

        clock.advance(Duration.ofMillis(1));
        Map<String, Double> past = Exposition.scrape(collector);
        assertEquals(Map.of("{container=\"/c0\",namespace=\"\",pod=\"\"}", 15.0), Exposition.family(past, ALLOC));
        assertEquals(1.0, past.get("dentry_monitor_containers{series=\"own\"}"));
    }

    @Test
    void aContainerBackAfterItsSeriesWentStartsANewSeriesFromItsCount() {
        current.set(Samples.counts(10, 20));
        Exposition.scrape(collector);
        current.set(Samples.counts(10, -1));
        clock.advance(Duration.ofMinutes(6));
        Exposition.scrape(collector);

        current.set(Samples.counts(10, 25));
        clock.advance(Duration.ofMinutes(1));

        assertEquals(25.0, Exposition.family(Exposition.scrape(collector), ALLOC).get(C1));
    }

    @Test
    void seriesAreNotExpiredWhileReadsFail() {
        current.set(Samples.counts(10, 20));
        Exposition.scrape(collector);
        kernelFails = true;

        clock.advance(Duration.ofMinutes(10));
        Map<String, Double> series = Exposition.scrape(collector);

        assertEquals(20.0, Exposition.family(series, ALLOC).get(C1));
        assertEquals(1.0, series.get("dentry_monitor_read_errors_total"));
    }

    private DentrySample read() {
        if (kernelFails) {
            throw new IllegalStateException("bpf_map_lookup_batch failed: EFAULT");
        }
        return current.get();
    }
}
