package io.dentrywatch.core.export;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.dentrywatch.core.export.Feed.alloc;
import static io.dentrywatch.core.export.Feed.allocs;
import static io.dentrywatch.core.export.Feed.nonPod;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A container no sample mentions any more stays exported with its last values for the grace period,
 * then goes. (The core sampler leaves a removed cgroup out of its samples once its own grace is over;
 * this grace starts there.)
 */
class DeletedSeriesGraceTest {

    private final Feed feed = new Feed();
    private final ThrottledSampler sampler = feed.sampler(feed.settings().withDeletedSeriesGrace(Duration.ofMinutes(5)));

    @Test
    void aGoneContainerKeepsItsLastValueUntilTheGracePeriodHasPassed() {
        feed.set(allocs(10, 20));
        sampler.read();

        feed.set(allocs(15, -1)); // /c1 is gone from now on
        feed.clock.advance(Duration.ofMinutes(1));
        assertEquals(20L, alloc(sampler.read()).get(nonPod("/c1")));

        feed.clock.advance(Duration.ofMinutes(4)); // exactly the grace period since /c1 was last seen
        Reading atGrace = sampler.read();
        assertEquals(20L, alloc(atGrace).get(nonPod("/c1")));
        assertEquals(2, atGrace.ownSeries());

        feed.clock.advance(Duration.ofMillis(1));
        Reading past = sampler.read();
        assertEquals(Map.of(nonPod("/c0"), 15L), alloc(past));
        assertEquals(1, past.ownSeries());
    }

    @Test
    void aContainerBackAfterItsSeriesWentStartsANewSeriesFromItsCount() {
        feed.set(allocs(10, 20));
        sampler.read();
        feed.set(allocs(10, -1));
        feed.clock.advance(Duration.ofMinutes(6));
        sampler.read();

        feed.set(allocs(10, 25));
        feed.clock.advance(Duration.ofMinutes(1));

        assertEquals(25L, alloc(sampler.read()).get(nonPod("/c1")));
    }

    @Test
    void seriesAreNotExpiredWhileReadsFail() {
        feed.set(allocs(10, 20));
        sampler.read();
        feed.failing(true);

        feed.clock.advance(Duration.ofMinutes(10));
        Reading reading = sampler.read();

        assertEquals(20L, alloc(reading).get(nonPod("/c1")));
        assertEquals(1, reading.readErrors());
    }
}
