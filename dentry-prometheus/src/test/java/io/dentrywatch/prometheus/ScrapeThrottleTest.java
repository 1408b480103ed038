package io.dentrywatch.prometheus;

import io.dentrywatch.core.DentrySample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scrapes read the kernel at most once per minimum interval, however many arrive and however they overlap. */
class ScrapeThrottleTest {

    private final MutableClock clock = new MutableClock(Samples.T0);

    @Test
    void aScrapeArrivingWhileASlowReadIsUnderWayWaitsForItAndSharesIt() throws Exception {
        CountDownLatch readStarted = new CountDownLatch(1);
        CountDownLatch finishRead = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        DentryCollector collector = collector(() -> {
            reads.incrementAndGet();
            readStarted.countDown();
            await(finishRead);
            clock.advance(Duration.ofSeconds(2)); // the read took longer than the minimum interval
            return Samples.golden();
        });
        ExecutorService scrapers = Executors.newFixedThreadPool(2);
        try {
            Future<Map<String, Double>> first = scrapers.submit(() -> Exposition.scrape(collector));
            readStarted.await();
            Thread[] second = new Thread[1];
            Future<Map<String, Double>> secondScrape = scrapers.submit(() -> {
                second[0] = Thread.currentThread();
                return Exposition.scrape(collector);
            });
            waitUntilBlocked(secondScrape, second);
            finishRead.countDown();

            assertEquals(first.get(), secondScrape.get());
            assertEquals(1, reads.get());
        } finally {
            scrapers.shutdownNow();
        }
    }

    @Test
    void manySimultaneousScrapesCostOneRead() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        DentryCollector collector = collector(() -> {
            reads.incrementAndGet();
            return Samples.golden();
        });
        int scrapes = 16;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService scrapers = Executors.newFixedThreadPool(scrapes);
        try {
            List<Future<Map<String, Double>>> results = new ArrayList<>();
            for (int i = 0; i < scrapes; i++) {
                results.add(scrapers.submit(() -> {
                    await(start);
                    return Exposition.scrape(collector);
                }));
            }
            start.countDown();
            for (Future<Map<String, Double>> result : results) {
                assertEquals(1.0, result.get().get("dentry_monitor_reads_total"));
            }
            assertEquals(1, reads.get());
        } finally {
            scrapers.shutdownNow();
        }
    }

    @Test
    void theNextReadWaitsForTheMinimumInterval() {
        AtomicInteger reads = new AtomicInteger();
        DentryCollector collector = collector(() -> {
            reads.incrementAndGet();
            return Samples.golden();
        });

        Exposition.scrape(collector);
        clock.advance(Duration.ofMillis(999));
        Exposition.scrape(collector);
        assertEquals(1, reads.get());

        clock.advance(Duration.ofMillis(1));
        Map<String, Double> series = Exposition.scrape(collector);
        assertEquals(2, reads.get());
        assertEquals(2.0, series.get("dentry_monitor_reads_total"));
    }

    @Test
    void aFailedReadKeepsTheLastGoodValuesAndIsCounted() {
        AtomicInteger reads = new AtomicInteger();
        DentryCollector collector = collector(() -> {
            if (reads.incrementAndGet() > 1) {
                throw new IllegalStateException("bpf_map_lookup_batch failed: EFAULT");
            }
            return Samples.golden();
        });
        Map<String, Double> good = Exposition.scrape(collector);
        clock.advance(Duration.ofSeconds(1));

        Map<String, Double> afterFailure = Exposition.scrape(collector);

        assertEquals(Exposition.family(good, "dentry_alloc_total"), Exposition.family(afterFailure, "dentry_alloc_total"));
        assertEquals(2.0, afterFailure.get("dentry_monitor_reads_total"));
        assertEquals(1.0, afterFailure.get("dentry_monitor_read_errors_total"));
    }

    @Test
    void beforeAnyGoodReadOnlyTheMonitorsOwnCountsAreExported() {
        DentryCollector collector = collector(() -> {
            throw new IllegalStateException("sampler closed");
        });

        Map<String, Double> series = Exposition.scrape(collector);

        assertEquals(Map.of(
                "dentry_monitor_containers{series=\"other\"}", 0.0,
                "dentry_monitor_containers{series=\"own\"}", 0.0,
                "dentry_monitor_read_errors_total", 1.0,
                "dentry_monitor_reads_total", 1.0), series);
    }

    private DentryCollector collector(Supplier<DentrySample> source) {
        return DentryCollector.builder(source)
                .containerResolver(Samples.resolver())
                .minReadInterval(Duration.ofSeconds(1))
                .clock(clock)
                .build();
    }

    /** Spins (no sleep, no timeout) until the second scraper is parked on the read lock. */
    private static void waitUntilBlocked(Future<?> scrape, Thread[] scraper) {
        while (scraper[0] == null || scraper[0].getState() != Thread.State.WAITING) {
            assertFalse(scrape.isDone(), "the second scrape finished without waiting for the first read");
            Thread.onSpinWait();
        }
        assertTrue(scraper[0].isAlive());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
