package io.dentrywatch.core;

import io.dentrywatch.cgroup.CgroupHierarchy;

import io.dentrywatch.bpf.CounterTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Per-cgroup counts as the sampler reports them: the kernel map's values plus what was carried over
 * from entries that were deleted from the map. Keeps the map free of dead cgroups while counters of
 * a cgroup never go backwards: a removed cgroup's last counts are reported for a grace period, then
 * dropped. The counters kept by owner ({@link DentryCounter#byOwner()}) are the exception: like the
 * kernel, which charges a removed memory cgroup's objects to its parent, the ledger moves them to the
 * nearest ancestor that still exists, so what a dead container held is neither lost nor counted twice.
 * Not thread-safe (the sampler serialises samples).
 */
final class CgroupLedger {

    /** The kernel map's value, one {@code u64} per per-cgroup counter: the table's fields, by slot. */
    private static final int SLOTS = DentryCounter.cgroupSlots();
    /** The slots of the counters kept by owner, which move to the parent of a removed cgroup. */
    private static final int[] OWNED_SLOTS = DentryCounter.perCgroupCounters().stream()
            .filter(DentryCounter::byOwner).mapToInt(DentryCounter::slot).toArray();

    /** One cgroup's state between samples, its counts by {@link DentryCounter} slot. */
    private static final class Entry {
        final long id;
        final long[] carried = new long[SLOTS];
        final long[] lastKernel = new long[SLOTS];
        String path;
        boolean inKernel;
        boolean adopted; // made to receive a removed descendant's counts, not from a map row
        Instant removedAt;

        Entry(long id) {
            this.id = id;
        }

        /** The counts to report, into {@code into}. */
        long[] counts(long[] into) {
            for (int slot = 0; slot < SLOTS; slot++) {
                into[slot] = carried[slot] + lastKernel[slot]; // lastKernel is zeroed when carried over
            }
            return into;
        }
    }

    private final CgroupHierarchy hierarchy;
    private final Duration grace;
    private final boolean maskGeneration;
    private final Map<Long, Entry> entries = new HashMap<>();
    private final long[] reported = new long[SLOTS]; // copied by each CgroupDentryCounts

    /**
     * @param hierarchy      where ids resolve to paths
     * @param grace          how long a removed cgroup's counts are still reported
     * @param maskGeneration kernels before 5.5 put a generation in the id's high 32 bits; the inode is the low 32
     */
    CgroupLedger(CgroupHierarchy hierarchy, Duration grace, boolean maskGeneration) {
        this.hierarchy = hierarchy;
        this.grace = grace;
        this.maskGeneration = maskGeneration;
    }

    /**
     * Folds the map's current rows in, deletes from the map the cgroups that are gone (through
     * {@code deleteFromMap}), and returns the counts to report.
     */
    List<CgroupDentryCounts> update(CounterTable table, Instant now, LongPredicate deleteFromMap) {
        for (Entry e : entries.values()) {
            e.inKernel = false;
        }
        boolean mayRescan = true;
        List<Entry> idle = new ArrayList<>();
        for (int row = 0; row < table.size(); row++) {
            long id = table.key(row);
            Entry e = entries.computeIfAbsent(id, Entry::new);
            boolean changed = e.removedAt != null;
            for (int slot = 0; slot < SLOTS; slot++) {
                long v = table.value(row, slot);
                changed |= v != e.lastKernel[slot];
                e.lastKernel[slot] = v;
            }
            e.inKernel = true;
            if (e.path == null) {
                e.path = hierarchy.path(inode(id), mayRescan);
                if (e.path == null) {
                    mayRescan = false; // one walk per sample at most
                }
            }
            if (!changed) {
                idle.add(e); // only a cgroup whose counts stood still can have been removed
            }
        }
        for (Entry e : idle) {
            if (e.removedAt == null && !exists(e)) {
                deleteFromMap.test(e.id);
                for (int slot = 0; slot < SLOTS; slot++) {
                    e.carried[slot] += e.lastKernel[slot];
                    e.lastKernel[slot] = 0;
                }
                e.inKernel = false;
                e.removedAt = now;
            }
        }
        moveOwnedCountsOfRemovedCgroups(now);
        List<CgroupDentryCounts> out = new ArrayList<>(entries.size());
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.removedAt != null && !e.inKernel && now.isAfter(e.removedAt.plus(grace))) {
                it.remove();
                continue;
            }
            if (e.inKernel && e.removedAt != null) {
                // events after removal was seen (a last task still exiting): keep counting, it is not gone
                e.removedAt = null;
            }
            String path = e.path != null ? e.path : "/<unknown id " + inode(e.id) + ">";
            out.add(new CgroupDentryCounts(inode(e.id), path, e.counts(reported)));
        }
        return out;
    }

    /**
     * Moves the counts kept by owner of every removed cgroup to its nearest existing ancestor, as the
     * kernel reparents a removed memory cgroup's charges. An ancestor the map has no row for yet gets an
     * entry of its own, and is itself checked for removal while it has no row.
     */
    private void moveOwnedCountsOfRemovedCgroups(Instant now) {
        List<Entry> removed = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (!e.inKernel && e.removedAt == null && e.adopted && !exists(e)) {
                e.removedAt = now; // an ancestor that only ever held moved counts, gone too
            }
            if (!e.inKernel && e.removedAt != null && holdsOwned(e)) {
                removed.add(e);
            }
        }
        for (Entry e : removed) {
            Entry heir = nearestExistingAncestor(e.path);
            if (heir == null) {
                continue; // an unresolved cgroup: its parent is unknown, its counts stay where they are
            }
            for (int slot : OWNED_SLOTS) {
                heir.carried[slot] += e.carried[slot];
                e.carried[slot] = 0;
            }
        }
    }

    private static boolean holdsOwned(Entry e) {
        for (int slot : OWNED_SLOTS) {
            if (e.carried[slot] != 0) {
                return true;
            }
        }
        return false;
    }

    /** The entry of the closest ancestor directory of {@code path} that exists now, made if needed; null if none. */
    private Entry nearestExistingAncestor(String path) {
        if (path == null) {
            return null;
        }
        for (String p = parent(path); p != null; p = parent(p)) {
            long ino = inodeOf(p);
            if (ino <= 0) {
                continue;
            }
            Entry heir = entries.get(ino);
            if (heir == null) {
                heir = new Entry(ino);
                heir.adopted = true;
                entries.put(ino, heir);
            }
            if (heir.path == null) {
                heir.path = p;
            }
            return heir;
        }
        return null;
    }

    private static String parent(String path) {
        if (path.equals("/")) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private long inodeOf(String path) {
        try {
            Path dir = path.equals("/") ? hierarchy.root() : hierarchy.root().resolve(path.substring(1));
            return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
        } catch (java.io.IOException gone) {
            return -1;
        }
    }

    private boolean exists(Entry e) {
        if (e.path == null) {
            return false; // not in the hierarchy even after a fresh walk
        }
        try {
            Path dir = e.path.equals("/") ? hierarchy.root() : hierarchy.root().resolve(e.path.substring(1));
            Object ino = Files.getAttribute(dir, "unix:ino");
            return ((Number) ino).longValue() == inode(e.id); // the same name may be a new cgroup
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    private long inode(long id) {
        return maskGeneration ? id & 0xffff_ffffL : id;
    }
}
