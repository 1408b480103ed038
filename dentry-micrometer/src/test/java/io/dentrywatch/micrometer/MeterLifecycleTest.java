package io.dentrywatch.micrometer;

import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.prometheus.MutableClock;
import io.dentrywatch.prometheus.Samples;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Meters come with containers, stay through the grace period, then leave every registry. */
class MeterLifecycleTest {

    private final AtomicReference<DentrySample> current = new AtomicReference<>(Samples.counts(10, 20));
    private final MutableClock clock = new MutableClock(Samples.T0);
    private final DentryMetrics metrics = DentryMetrics.builder(current::get)
            .containerResolver(Samples.byPath())
            .minReadInterval(Duration.ZERO)
            .deletedSeriesGrace(Duration.ofMinutes(5))
            .clock(clock)
            .build();

    @Test
    void aGoneContainersCounterStaysThroughTheGracePeriodThenIsRemoved() {
        MeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        assertEquals(20.0, alloc(registry, "/c1").count());

        current.set(Samples.counts(15, -1));
        clock.advance(Duration.ofMinutes(5));
        metrics.refresh();
        assertEquals(20.0, alloc(registry, "/c1").count());
        assertEquals(15.0, alloc(registry, "/c0").count());

        clock.advance(Duration.ofMillis(1));
        metrics.refresh();
        assertNull(find(registry, "/c1").functionCounter());
        assertEquals(1, registry.find("dentry.alloc").functionCounters().size());
    }

    @Test
    void aNewContainerGetsItsCounterAtTheNextRefresh() {
        MeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);

        current.set(Samples.counts(10, 20, 7));
        metrics.refresh();

        assertEquals(7.0, alloc(registry, "/c2").count());
    }

    @Test
    void containersPastTheCapAreSummedIntoOther() {
        DentryMetrics capped = DentryMetrics.builder(() -> Samples.counts(10, 100, 7, 50))
                .containerResolver(Samples.byPath())
                .maxContainerSeries(2)
                .clock(clock)
                .build();
        MeterRegistry registry = new SimpleMeterRegistry();
        capped.bindTo(registry);

        assertEquals(3, registry.find("dentry.alloc").functionCounters().size());
        assertEquals(17.0, alloc(registry, "_other").count());
        assertEquals(2.0, registry.get("dentry.monitor.containers").tag("series", "other").gauge().value());
    }

    @Test
    void everyBoundRegistryGetsTheMetersAndLosesThemOnClose() {
        MeterRegistry first = new SimpleMeterRegistry();
        MeterRegistry second = new SimpleMeterRegistry();
        metrics.bindTo(first);
        metrics.bindTo(second);
        assertEquals(20.0, alloc(second, "/c1").count());
        assertTrue(first.getMeters().size() > 10);

        metrics.close();

        assertEquals(0, first.getMeters().size());
        assertEquals(0, second.getMeters().size());
        assertThrows(IllegalStateException.class, () -> metrics.bindTo(new SimpleMeterRegistry()));
    }

    @Test
    void nodeCountsAreGaugesAndAnAbsentNegativeCountHasNoGauge() {
        MeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);

        assertEquals(1_234_567.0, registry.get("node.dentry.count").tag("type", "total").gauge().value());
        assertEquals(34_567.0, registry.get("node.dentry.count").tag("type", "negative").gauge().value());

        DentrySample withoutNegative = Samples.counts(10, 20);
        current.set(new DentrySample(withoutNegative.time(), withoutNegative.info(), withoutNegative.counters(),
                new NodeDentryState(5, 4, OptionalLong.empty()), withoutNegative.cgroups(), withoutNegative.freed(),
                withoutNegative.reclaim(), withoutNegative.mapFullDrops(), withoutNegative.readTime()));
        metrics.refresh();

        assertNull(registry.find("node.dentry.count").tag("type", "negative").gauge());
        assertEquals(5.0, registry.get("node.dentry.count").tag("type", "total").gauge().value());
    }

    @Test
    void metersOfFamiliesTheSamplerStopsMeasuringAreRemoved() {
        current.set(Samples.golden());
        MeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        assertEquals(5, registry.find("dentry.negative").functionCounters().size());
        assertEquals(2010.0 + 10 + 2900 + 5, registry.find("dentry.negative").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum(), "lookup plus unlink of every cgroup");
        assertEquals(14_000.0, registry.get("node.dentry.freed").functionCounter().count());

        // the unlink hook is gone (the sampler reopened without it): negative and its unlink part go, lookup stays
        current.set(Samples.measuring(Samples.golden(),
                EnumSet.of(DentryCounter.ALLOC, DentryCounter.POSITIVE, DentryCounter.NEGATIVE_LOOKUP, DentryCounter.FREED)));
        metrics.refresh();

        assertTrue(registry.find("dentry.negative").functionCounters().isEmpty());
        assertTrue(registry.find("dentry.negative.unlink").functionCounters().isEmpty());
        assertEquals(5, registry.find("dentry.negative.lookup").functionCounters().size());
        assertEquals(0.0, registry.get("dentry.monitor.family.available").tag("family", "dentry_negative_total").gauge().value());
        assertEquals(1.0, registry.get("dentry.monitor.family.available").tag("family", "dentry_negative_lookup_total")
                .gauge().value());
    }

    @Test
    void reclaimIsCountersATimerAndBucketCountersThatGoWhenReclaimIsNoLongerMeasured() {
        current.set(Samples.golden());
        MeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);

        assertEquals(1234.0, registry.get("node.dentry.reclaim").functionCounter().count());
        assertEquals(5_000_000.0, registry.get("node.dentry.reclaim.scanned.objects").functionCounter().count());
        assertEquals(1_250_000.0, registry.get("node.dentry.reclaimed.objects").functionCounter().count());
        assertEquals(1234.0, registry.get("node.dentry.prune.dcache.sb").functionCounter().count());
        assertEquals(7.0, registry.get("node.dentry.shrink.dcache.sb").functionCounter().count());
        assertEquals(150_000.0, registry.get("dentry.reclaimed")
                .tags("namespace", "", "pod", "", "container", "/system.slice/mariadb.service").functionCounter().count());
        FunctionTimer duration = registry.get("node.dentry.reclaim.duration").functionTimer();
        assertEquals(1234.0, duration.count());
        assertEquals(193.335432, duration.totalTime(TimeUnit.SECONDS), 1e-9);
        assertEquals(14, registry.find("node.dentry.reclaim.duration.buckets").functionCounters().size());
        assertEquals(50.0, bucket(registry, "1.024E-6").count(), "runs below 1.024 us");
        assertEquals(1230.0, bucket(registry, "17.179869184").count());
        assertEquals(1234.0, bucket(registry, "+Inf").count());

        // the sampler reopened without reclaim (kallsyms hid super_cache_scan): every reclaim meter goes
        current.set(Samples.measuring(Samples.golden(), EnumSet.of(DentryCounter.ALLOC, DentryCounter.FREED)));
        metrics.refresh();

        for (String name : List.of("node.dentry.reclaim", "node.dentry.reclaim.scanned.objects", "node.dentry.reclaimed.objects",
                "node.dentry.reclaim.duration", "node.dentry.reclaim.duration.buckets", "node.dentry.prune.dcache.sb",
                "node.dentry.shrink.dcache.sb", "dentry.reclaimed")) {
            assertTrue(registry.find(name).meters().isEmpty(), name);
        }
        assertEquals(0.0, registry.get("dentry.monitor.family.available").tag("family", "node_dentry_reclaim_duration_seconds")
                .gauge().value());
    }

    private static FunctionCounter bucket(MeterRegistry registry, String upperBound) {
        return registry.get("node.dentry.reclaim.duration.buckets").tag("upper.bound", upperBound).functionCounter();
    }

    private static FunctionCounter alloc(MeterRegistry registry, String container) {
        FunctionCounter counter = find(registry, container).functionCounter();
        assertTrue(counter != null, "no dentry.alloc for " + container);
        return counter;
    }

    private static Search find(MeterRegistry registry, String container) {
        return registry.find("dentry.alloc").tags("namespace", "", "pod", "", "container", container);
    }
}
