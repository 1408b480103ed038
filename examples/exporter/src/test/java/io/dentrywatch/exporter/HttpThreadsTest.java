package io.dentrywatch.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The HTTP server's threads: two requests at once, and the one handing over a third waits instead of queueing it. */
class HttpThreadsTest {

    @Test
    void aThirdRequestWaitsForAThreadAndNothingIsQueued() throws Exception {
        ExecutorService threads = Exporter.httpThreads();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        try {
            for (int i = 0; i < Exporter.HTTP_THREADS; i++) {
                threads.execute(() -> {
                    await(release);
                    ran.incrementAndGet();
                });
            }
            // the server's dispatcher hands over the third request: it waits while both threads are busy
            Thread dispatcher = Thread.ofPlatform().start(() -> threads.execute(ran::incrementAndGet));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (dispatcher.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(Thread.State.TIMED_WAITING, dispatcher.getState(), "the dispatcher waits for a thread");
            assertEquals(0, ((ThreadPoolExecutor) threads).getQueue().size(), "no request is queued");
            assertEquals(Exporter.HTTP_THREADS, ((ThreadPoolExecutor) threads).getPoolSize());

            release.countDown();
            dispatcher.join(TimeUnit.SECONDS.toMillis(30));

            threads.shutdown();
            assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
            assertEquals(Exporter.HTTP_THREADS + 1, ran.get());
            assertThrows(RejectedExecutionException.class, () -> threads.execute(ran::incrementAndGet));
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
