package io.dentrywatch.core.export;

import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.oom.MemoryType;
import io.dentrywatch.oom.OomCgroupStats;
import io.dentrywatch.oom.OomKill;
import io.dentrywatch.oom.OomScope;
import io.dentrywatch.oom.OomStats;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the OOM watcher's counts become container series: summing, identity, cap, retention, never decreasing. */
class OomSeriesBookTest {

    private static final Instant T0 = Feed.T0;
    private static final Duration RETENTION = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(T0);
    private final AtomicReference<OomStats> stats = new AtomicReference<>(new OomStats(0, 0, List.of()));
    /** Cgroup id to container name; a cgroup not listed is named after its path. */
    private final Map<Long, String> names = new HashMap<>();
    private final AtomicInteger resolutions = new AtomicInteger();
    private final ContainerResolver resolver = (id, path) -> {
        resolutions.incrementAndGet();
        return ContainerIdentity.nonPod(names.getOrDefault(id, path));
    };

    private OomSeriesBook book(int maxContainerSeries) {
        return configured(stats::get).maxContainerSeries(maxContainerSeries).book();
    }

    /** A kill in cgroup {@code id} ({@code /c<id>}) at T0 plus {@code seconds}, its anon_rss {@code anonMib} MiB. */
    private static OomKill kill(long id, long seconds, long anonMib) {
        return new OomKill(T0.plusSeconds(seconds), 1000 + (int) id, 1000 + (int) id, "app", id, "/c" + id,
                OomScope.MEMORY_CGROUP, Map.of(MemoryType.ANON_RSS, anonMib << 20), 0);
    }

    private static OomCgroupStats cgroup(long kills, OomKill lastKill) {
        return new OomCgroupStats(lastKill.cgroupId(), lastKill.cgroupPath(), kills, lastKill);
    }

    private void set(long nodeKills, long lost, OomCgroupStats... cgroups) {
        stats.set(new OomStats(nodeKills, lost, List.of(cgroups)));
    }

    private static Map<String, Long> kills(OomReading reading) {
        Map<String, Long> kills = new TreeMap<>();
        reading.series().forEach(s -> kills.put(s.labels().container(), s.kills()));
        return kills;
    }

    private static OomSeries series(OomReading reading, String container) {
        return reading.series().stream().filter(s -> s.labels().container().equals(container)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + container + " in " + reading.series()));
    }

    @Test
    void cgroupsOfOneContainerAreSummedAndItsLatestKillGivesTheMemoryAndTheTime() {
        names.put(1L, "api");
        names.put(2L, "api"); // the same container, restarted: a new cgroup
        OomKill latest = kill(1, 60, 300);
        set(5, 0, cgroup(1, latest), cgroup(2, kill(2, 10, 200)), cgroup(2, kill(3, 30, 5)));

        OomReading reading = book(1000).read();

        assertEquals(Map.of("api", 3L, "/c3", 2L), kills(reading));
        assertEquals(latest, series(reading, "api").lastKill());
        assertEquals(T0.getEpochSecond() + 60 + T0.getNano() / 1e9, series(reading, "api").lastKillSeconds(), 1e-6);
        assertEquals(5, reading.kills());
        assertEquals("node-a", reading.node());
        assertEquals(List.of("no scope"), reading.degraded());
    }

    @Test
    void theNodesKillsAndLostEventsNeverDecrease() {
        OomSeriesBook book = book(1000);
        set(3, 2, cgroup(3, kill(1, 0, 1)));
        book.read();

        set(1, 0); // the watcher was reopened and counts from zero
        OomReading reading = book.read();

        assertEquals(4, reading.kills());
        assertEquals(2, reading.lostEvents());
        assertEquals(Map.of("/c1", 3L), kills(reading), "a series keeps its kills when the watcher forgets its cgroup");
    }

    @Test
    void aCgroupIsResolvedWhenFirstFoundAndAgainOnlyAfterANewKill() {
        OomSeriesBook book = book(1000);
        set(1, 0, cgroup(1, kill(1, 0, 1)));
        assertEquals(Map.of("/c1", 1L), kills(book.read()), "not known to the resolver yet: named by its path");

        names.put(1L, "api"); // the resolver learns the name; no new kill: the series keeps its labels
        set(1, 1, cgroup(1, kill(1, 0, 1)));
        assertEquals(Map.of("/c1", 1L), kills(book.read()));
        assertEquals(1, resolutions.get());

        set(3, 1, cgroup(3, kill(1, 20, 1))); // two new kills: resolved again, they count under the new name
        OomReading reading = book.read();

        assertEquals(Map.of("/c1", 1L, "api", 2L), kills(reading), "the old series keeps what it counted");
        assertEquals(2, resolutions.get());
    }

    @Test
    void aCgroupIsNotRelabelledOnceTheResolverForgetsItsPod() {
        names.put(1L, "api");
        OomSeriesBook book = book(1000);
        set(1, 0, cgroup(1, kill(1, 0, 1)));
        book.read();

        names.clear(); // the pod was deleted and its grace ended: the resolver now answers with the path
        clock.advance(Duration.ofMinutes(30));
        OomReading reading = book.read();

        assertEquals(Map.of("api", 1L), kills(reading));
    }

    @Test
    void readsThatFindNothingNewShareTheReadingAndAFailingSourceKeepsTheLastValues() {
        OomSeriesBook book = book(1000);
        set(1, 0, cgroup(1, kill(1, 0, 1)));
        OomReading first = book.read();
        set(1, 0, cgroup(1, kill(1, 0, 1)));

        assertSame(first, book.read(), "equal counts, nothing expired");
        set(1, 1, cgroup(1, kill(1, 0, 1)));
        OomReading lost = book.read();
        assertNotSame(first, lost);
        assertEquals(1, lost.lostEvents());

        OomSeriesBook failing = configured(() -> {
            throw new IllegalStateException("closed");
        }).book();
        OomReading empty = failing.read();
        assertEquals(List.of(), empty.series());
        assertEquals(0, empty.kills());
    }

    @Test
    void theMostKilledContainersGetTheirOwnSeriesAndOtherSumsTheRestWithItsLatestKill() {
        OomSeriesBook book = book(1);
        OomKill latest = kill(3, 50, 7);
        set(6, 0, cgroup(1, kill(1, 10, 1)), cgroup(4, kill(2, 20, 2)), cgroup(1, latest));

        OomReading reading = book.read();

        assertEquals(Map.of("/c2", 4L, "_other", 2L), kills(reading));
        assertEquals(SeriesLabels.OTHER, reading.series().getLast().labels());
        assertEquals(latest, series(reading, "_other").lastKill(), "the latest kill among its members");

        // /c1 has another kill: it stays in _other for its life, although /c2 has had no kill since
        set(7, 0, cgroup(2, kill(1, 70, 1)), cgroup(4, kill(2, 20, 2)), cgroup(1, latest));
        assertEquals(Map.of("/c2", 4L, "_other", 3L), kills(book.read()));
    }

    @Test
    void aContainerNotKilledForTheRetentionGoesAndComesBackFromItsNextKill() {
        OomSeriesBook book = book(1000);
        set(2, 0, cgroup(2, kill(1, 0, 1)));
        book.read();

        clock.advance(RETENTION);
        assertEquals(Map.of("/c1", 2L), kills(book.read()), "still within the retention");
        clock.advance(Duration.ofNanos(1));
        assertEquals(Map.of(), kills(book.read()));

        set(3, 0, cgroup(3, kill(1, 7200, 1)));
        assertEquals(Map.of("/c1", 1L), kills(book.read()), "a new series, from its new kill");
    }

    @Test
    void otherKeepsWhatAnExpiredMemberCountedAndItsSlotGoesToTheNextNewContainer() {
        OomSeriesBook book = book(1);
        set(3, 0, cgroup(2, kill(1, 0, 1)), cgroup(1, kill(2, 1800, 1)));
        assertEquals(Map.of("/c1", 2L, "_other", 1L), kills(book.read()));

        clock.advance(RETENTION.plusSeconds(1)); // /c1 expires; /c2, killed half an hour later, stays
        assertEquals(Map.of("_other", 1L), kills(book.read()));
        clock.advance(Duration.ofMinutes(30)); // /c2 expires too: _other keeps its kill
        OomKill third = kill(3, 5400, 1);
        set(4, 0, cgroup(2, kill(1, 0, 1)), cgroup(1, kill(2, 1800, 1)), cgroup(1, third));

        OomReading reading = book.read();

        assertEquals(Map.of("/c3", 1L, "_other", 1L), kills(reading));
    }

    @Test
    void aCgroupKilledLongerAgoThanTheRetentionGetsNoSeries() {
        clock.advance(Duration.ofDays(2));
        set(1, 0, cgroup(1, kill(1, 0, 1)));

        assertEquals(List.of(), book(1000).read().series());
    }

    @Test
    void aContainerFirstFoundWithARecentKillCountsTheKillsOfItsOlderCgroupsToo() {
        names.put(1L, "api");
        names.put(2L, "api");
        clock.advance(Duration.ofHours(2));
        set(3, 0, cgroup(2, kill(1, 0, 1)), cgroup(1, kill(2, 7000, 1)));

        assertEquals(Map.of("api", 3L), kills(book(1000).read()));
    }

    @Test
    void aCgroupTheWatcherForgotCountsFromItsFirstKillWhenItComesBack() {
        OomSeriesBook book = book(1000);
        set(5, 0, cgroup(5, kill(1, 0, 1)));
        book.read();
        set(5, 0); // more cgroups had kills than the watcher keeps: it dropped /c1
        book.read();

        set(6, 0, cgroup(1, kill(1, 60, 1)));

        assertEquals(Map.of("/c1", 6L), kills(book.read()));
    }

    @Test
    void theBuilderWantsANodeAndSaneLimits() {
        OomAdapterBuilder<FamilyReader> builder = builder(stats::get); // no node

        assertTrue(assertThrows(IllegalStateException.class, builder::build).getMessage().startsWith("node is not set"));
        assertThrows(IllegalArgumentException.class, () -> builder.maxContainerSeries(-1));
        assertThrows(IllegalArgumentException.class, () -> builder.seriesRetention(Duration.ZERO));
        assertEquals(Duration.ofDays(1), OomAdapterBuilder.DEFAULT_SERIES_RETENTION);
    }

    @Test
    void aResolverThatThrowsLeavesTheBookAsItWas() {
        OomSeriesBook book = configured(stats::get).containerResolver((id, path) -> {
            if (id == 2) {
                throw new IllegalStateException("resolver broken");
            }
            return ContainerIdentity.nonPod(path);
        }).book();
        set(1, 0, cgroup(1, kill(1, 0, 1)));
        book.read();

        set(2, 0, cgroup(1, kill(1, 0, 1)), cgroup(1, kill(2, 5, 1)));
        OomReading reading = book.read();

        assertEquals(Map.of("/c1", 1L), kills(reading));
        assertEquals(1, reading.kills(), "the node count is that of the last good read");
    }

    /** A builder over {@code source} with this test's node, resolver, retention, clock and a degraded part. */
    private OomAdapterBuilder<FamilyReader> configured(Supplier<OomStats> source) {
        return builder(source).node("node-a").containerResolver(resolver).seriesRetention(RETENTION)
                .degraded(List.of("no scope")).clock(clock);
    }

    /** The shared builder as an adapter gets it; the adapter is the reader itself. */
    private static OomAdapterBuilder<FamilyReader> builder(Supplier<OomStats> source) {
        return new OomAdapterBuilder<>(source, reader -> reader);
    }
}
