package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryReclaim;
import io.dentrywatch.core.DentrySample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.dentrywatch.core.export.Feed.alloc;
import static io.dentrywatch.core.export.Feed.allocs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scrapes read the source at most once per minimum interval, however many arrive and however they overlap. */
class ThrottledSamplerTest {

    private final Feed feed = new Feed();

    @Test
    void aScrapeArrivingWhileASlowReadIsUnderWayWaitsForItAndSharesIt() throws Exception {
        CountDownLatch readStarted = new CountDownLatch(1);
        CountDownLatch finishRead = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        ThrottledSampler sampler = sampler(() -> {
            reads.incrementAndGet();
            readStarted.countDown();
            await(finishRead);
            feed.clock.advance(Duration.ofSeconds(2)); // the read took longer than the minimum interval
            return allocs(10, 20);
        });
        ExecutorService scrapers = Executors.newFixedThreadPool(2);
        try {
            Future<Reading> first = scrapers.submit(sampler::read);
            readStarted.await();
            Thread[] second = new Thread[1];
            Future<Reading> secondScrape = scrapers.submit(() -> {
                second[0] = Thread.currentThread();
                return sampler.read();
            });
            waitUntilBlocked(secondScrape, second);
            finishRead.countDown();

            assertSame(first.get(), secondScrape.get());
            assertEquals(1, reads.get());
        } finally {
            scrapers.shutdownNow();
        }
    }

    @Test
    void manySimultaneousScrapesCostOneRead() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        ThrottledSampler sampler = sampler(() -> {
            reads.incrementAndGet();
            return allocs(10, 20);
        });
        int scrapes = 16;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService scrapers = Executors.newFixedThreadPool(scrapes);
        try {
            List<Future<Reading>> results = new ArrayList<>();
            for (int i = 0; i < scrapes; i++) {
                results.add(scrapers.submit(() -> {
                    await(start);
                    return sampler.read();
                }));
            }
            start.countDown();
            for (Future<Reading> result : results) {
                assertEquals(1, result.get().reads());
            }
            assertEquals(1, reads.get());
        } finally {
            scrapers.shutdownNow();
        }
    }

    @Test
    void theNextReadWaitsForTheMinimumInterval() {
        AtomicInteger reads = new AtomicInteger();
        ThrottledSampler sampler = sampler(() -> {
            reads.incrementAndGet();
            return allocs(10, 20);
        });

        Reading first = sampler.read();
        feed.clock.advance(Duration.ofMillis(999));
        assertSame(first, sampler.read());
        assertEquals(1, reads.get());

        feed.clock.advance(Duration.ofMillis(1));
        Reading second = sampler.read();
        assertEquals(2, reads.get());
        assertEquals(2, second.reads());
    }

    @Test
    void aFailedReadKeepsTheLastGoodValuesAndIsCounted() {
        AtomicInteger reads = new AtomicInteger();
        ThrottledSampler sampler = sampler(() -> {
            if (reads.incrementAndGet() > 1) {
                throw new IllegalStateException("bpf_map_lookup_batch failed: EFAULT");
            }
            return allocs(10, 20);
        });
        Reading good = sampler.read();
        feed.clock.advance(Duration.ofSeconds(1));

        Reading afterFailure = sampler.read();

        assertEquals(alloc(good), alloc(afterFailure));
        assertEquals(good.sample(), afterFailure.sample());
        assertEquals(2, afterFailure.reads());
        assertEquals(1, afterFailure.readErrors());
    }

    @Test
    void beforeAnyGoodReadThereIsNoSampleAndNoSeriesButTheReadIsCounted() {
        ThrottledSampler sampler = sampler(() -> {
            throw new IllegalStateException("sampler closed");
        });

        assertEquals(new Reading(Optional.empty(), List.of(), 0, 0, 0, 0, 0, DentryReclaim.NONE, 1, 1), sampler.read());
    }

    private ThrottledSampler sampler(Supplier<DentrySample> source) {
        return new ThrottledSampler(source, feed.settings().withMinReadInterval(Duration.ofSeconds(1)));
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
