package io.dentrywatch.core.export;

import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.oom.OomCgroupStats;
import io.dentrywatch.oom.OomKill;
import io.dentrywatch.oom.OomStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The OOM twin of {@link ThrottledSampler}: turns the OOM watcher's cumulative counts
 * ({@link io.dentrywatch.oom.OomWatcher#stats()}, a cheap snapshot read at every scrape) into the
 * container series every metric adapter exports, so that they all count alike.
 *
 * <p>The rules, in the order they apply:
 * <ul>
 *   <li><b>Identity.</b> A cgroup is resolved to its container when a read first finds it, and again
 *       whenever it has had a new kill since (while it evidently lives); between kills it keeps its labels,
 *       so a container deleted long ago is not relabelled once the resolver has forgotten its pod.</li>
 *   <li><b>Kills.</b> A series grows by the new kills of its cgroups: a cgroup found for the first time
 *       adds all its kills, a cgroup resolved to another series takes only its new kills there (the old
 *       series keeps what it counted). Cgroups of one container are summed; its memory and time are
 *       those of the latest kill among them.</li>
 *   <li><b>Cap.</b> At most {@code maxContainerSeries} containers have their own series; a container
 *       first seen past that is summed into {@link SeriesLabels#OTHER} for its life (the most kills first
 *       when several arrive in one read, then the earliest). {@code _other}'s memory and time are its
 *       members' latest kill's.</li>
 *   <li><b>Retention.</b> A container not killed for {@code seriesRetention} (after its latest kill)
 *       goes; a new kill brings it back from that kill on. What a member of {@code _other} counted stays
 *       in {@code _other}, which never decreases.</li>
 * </ul>
 *
 * <p>The node's kills and lost events never decrease either. Thread-safe.
 */
public final class OomSeriesBook {

    private static final Logger LOG = LoggerFactory.getLogger(OomSeriesBook.class);
    private static final Comparator<Tracked> ADMISSION = Comparator.comparingLong((Tracked t) -> t.kills).reversed()
            .thenComparing(t -> t.lastKill.time())
            .thenComparing(t -> t.labels);

    private final Supplier<OomStats> source;
    private final String node;
    private final ContainerResolver resolver;
    private final Duration retention;
    private final List<String> degraded;
    private final InstantSource clock;

    // guarded by this
    private final Map<Long, CgroupState> cgroups = new HashMap<>();
    private final Map<SeriesLabels, Tracked> containers = new HashMap<>();
    private final MonotonicCount kills = new MonotonicCount();
    private final MonotonicCount lostEvents = new MonotonicCount();
    private final Tracked otherRetained = new Tracked(SeriesLabels.OTHER);
    private final SeriesCap cap;
    private OomStats lastStats;
    private Instant nextExpiry = Instant.MAX;
    private OomReading latest;
    private boolean failing;

    OomSeriesBook(Supplier<OomStats> source, String node, ContainerResolver resolver, int maxOwnSeries,
                  Duration retention, List<String> degraded, InstantSource clock) {
        this.source = source;
        this.node = node;
        this.resolver = resolver;
        this.cap = new SeriesCap(maxOwnSeries);
        this.retention = retention;
        this.degraded = List.copyOf(degraded);
        this.clock = clock;
    }

    /**
     * The current reading: the watcher's counts now, folded into the series. A source or resolver that
     * throws is logged and the last good values stay exported.
     *
     * @return what to export now; never {@code null}
     */
    public synchronized OomReading read() {
        Instant now = clock.instant();
        try {
            OomStats stats = source.get();
            if (latest != null && stats.equals(lastStats) && now.isBefore(nextExpiry)) {
                return latest;
            }
            record(stats, now);
            expire(now);
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warn("Reading the OOM watcher's counts failed; exporting the last good values until it recovers", e);
            }
            failing = true;
            if (latest != null) {
                return latest;
            }
        }
        latest = new OomReading(node, kills.total(), lostEvents.total(), series(), degraded);
        return latest;
    }

    private void record(OomStats stats, Instant now) {
        // resolve first: a resolver that throws must leave the book as it was
        List<OomCgroupStats> changed = new ArrayList<>();
        List<SeriesLabels> owners = new ArrayList<>();
        for (OomCgroupStats cgroup : stats.cgroups()) {
            CgroupState state = cgroups.get(cgroup.cgroupId());
            if (state == null || state.kills != cgroup.kills() || !state.lastKill.equals(cgroup.lastKill())) {
                changed.add(cgroup);
                owners.add(SeriesLabels.of(resolver.resolve(cgroup.cgroupId(), cgroup.cgroupPath())));
            }
        }
        List<Tracked> firstSeen = new ArrayList<>();
        for (int i = 0; i < changed.size(); i++) {
            OomCgroupStats cgroup = changed.get(i);
            CgroupState state = cgroups.computeIfAbsent(cgroup.cgroupId(), id -> new CgroupState());
            long added = MonotonicCount.increase(state.kills, cgroup.kills());
            state.kills = cgroup.kills();
            state.lastKill = cgroup.lastKill();
            Tracked container = containers.get(owners.get(i));
            if (container == null) {
                container = new Tracked(owners.get(i));
                containers.put(container.labels, container);
                firstSeen.add(container);
            }
            container.add(added, cgroup.lastKill());
        }
        // a container first found whose latest kill is older than the retention gets no series
        Instant cutoff = now.minus(retention);
        for (Iterator<Tracked> it = firstSeen.iterator(); it.hasNext(); ) {
            Tracked container = it.next();
            if (container.lastKill.time().isBefore(cutoff)) {
                it.remove();
                containers.remove(container.labels);
            }
        }
        if (cgroups.size() != stats.cgroups().size()) {
            // the watcher forgot a cgroup (more cgroups had kills than it keeps): if it comes back, it
            // counts from its first kill again
            Set<Long> kept = new HashSet<>();
            stats.cgroups().forEach(cgroup -> kept.add(cgroup.cgroupId()));
            cgroups.keySet().retainAll(kept);
        }
        admit(firstSeen);
        kills.observe(stats.kills());
        lostEvents.observe(stats.lostEvents());
        lastStats = stats;
    }

    private void admit(List<Tracked> firstSeen) {
        firstSeen.sort(ADMISSION);
        for (Tracked container : firstSeen) {
            container.own = cap.admit(container.labels);
        }
    }

    private void expire(Instant now) {
        Instant cutoff = now.minus(retention);
        nextExpiry = Instant.MAX;
        for (Iterator<Tracked> it = containers.values().iterator(); it.hasNext(); ) {
            Tracked container = it.next();
            Instant killed = container.lastKill.time();
            if (killed.isBefore(cutoff)) {
                it.remove();
                if (container.own) {
                    cap.release();
                } else {
                    otherRetained.add(container.kills, container.lastKill);
                }
            } else {
                Instant due = killed.plus(retention).plusNanos(1); // the first instant it is older than the retention
                if (due.isBefore(nextExpiry)) {
                    nextExpiry = due;
                }
            }
        }
    }

    /** Every container with its own series, sorted by labels, then {@code _other} once it has had members. */
    private List<OomSeries> series() {
        List<OomSeries> series = new ArrayList<>();
        Tracked other = new Tracked(SeriesLabels.OTHER);
        if (otherRetained.lastKill != null) {
            other.add(otherRetained.kills, otherRetained.lastKill);
        }
        for (Tracked container : containers.values()) {
            if (container.own) {
                series.add(new OomSeries(container.labels, container.kills, container.lastKill));
            } else {
                other.add(container.kills, container.lastKill);
            }
        }
        series.sort(Comparator.comparing(OomSeries::labels));
        if (cap.otherShown()) {
            series.add(new OomSeries(SeriesLabels.OTHER, other.kills, other.lastKill));
        }
        return series;
    }

    /** What the last read said about one cgroup, to find its new kills. */
    private static final class CgroupState {
        long kills;
        OomKill lastKill;
    }

    /** One container's kills and latest kill, and where it is exported. */
    private static final class Tracked {
        final SeriesLabels labels;
        long kills;
        OomKill lastKill;
        boolean own;

        Tracked(SeriesLabels labels) {
            this.labels = labels;
        }

        /** Adds kills, keeping the later of the two latest kills (the new one on a tie). */
        void add(long moreKills, OomKill kill) {
            kills += moreKills;
            if (lastKill == null || !kill.time().isBefore(lastKill.time())) {
                lastKill = kill;
            }
        }
    }
}
