package io.dentrywatch.oom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cumulative kill counts behind {@link OomStats}: per node and per victim cgroup. At most
 * {@code capacity} cgroups are kept; beyond that the cgroup whose last kill is oldest is forgotten
 * (its kills stay in the node total). Thread-safe.
 */
final class OomLedger {

    private static final Logger LOG = LoggerFactory.getLogger(OomLedger.class);

    private final int capacity;
    private final LinkedHashMap<Long, Tally> cgroups;
    private long kills;

    private static final class Tally {
        long kills;
        OomKill last;
    }

    OomLedger(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        // access order: recording a kill moves its cgroup to the end, so the eldest is the least recently killed in
        this.cgroups = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Tally> eldest) {
                boolean full = size() > OomLedger.this.capacity;
                if (full) {
                    LOG.info("forgetting the OOM kills of cgroup {} ({}): more than {} cgroups had kills",
                            eldest.getKey(), eldest.getValue().last.cgroupPath(), OomLedger.this.capacity);
                }
                return full;
            }
        };
    }

    synchronized void record(OomKill kill) {
        kills++;
        Tally entry = cgroups.get(kill.cgroupId());
        if (entry == null) {
            entry = new Tally();
            entry.kills = 1;
            entry.last = kill;
            cgroups.put(kill.cgroupId(), entry);
            return;
        }
        entry.kills++;
        entry.last = kill;
    }

    synchronized OomStats snapshot(long lostEvents) {
        List<OomCgroupStats> list = new ArrayList<>(cgroups.size());
        for (Map.Entry<Long, Tally> e : cgroups.entrySet()) {
            Tally entry = e.getValue();
            list.add(new OomCgroupStats(e.getKey(), entry.last.cgroupPath(), entry.kills, entry.last));
        }
        return new OomStats(kills, lostEvents, list);
    }
}
