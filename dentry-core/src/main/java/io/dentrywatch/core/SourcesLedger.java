package io.dentrywatch.core;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Turns successive reads of {@code sources.bpf.o}'s LRU map into {@link NegativeSources}: cumulative counts
 * per (cgroup, directory label), at most {@code topK} directories of its own per cgroup and {@code nodeCap}
 * on the node, the rest summed into each cgroup's {@code other}.
 *
 * <p>The rules keep every count monotonic while a directory holds its place:
 * <ul>
 *   <li>A kernel entry adds what it grew since the last read; an entry seen for the first time, or whose
 *       count fell (the LRU evicted it and it came back), adds its whole count.</li>
 *   <li>A directory without a place gets one when its cgroup has fewer than K and the node fewer than the
 *       cap, the largest growth first; else it may take the place of one of its cgroup's directories that
 *       has not grown for {@link #IDLE}: that one's series ends and its count moves to {@code other} (should it
 *       win a place again, it counts from zero). What a directory makes without a place goes to
 *       {@code other} too, so a cgroup's directories plus its {@code other} are all it made.</li>
 *   <li>Java keeps at most {@code 4 × topK} directories a cgroup (own places and contenders, the longest
 *       unseen contenders dropped first) and {@code 4 × nodeCap} on the node, and the last kernel values of
 *       at most the map's entries; a cgroup no longer in the sample is dropped.</li>
 * </ul>
 *
 * <p>Not thread-safe: the sampler calls it under its lock.
 */
final class SourcesLedger {

    /** How long a directory must stand still before a growing one may take its place. */
    static final Duration IDLE = Duration.ofMinutes(1);

    // struct source_key and struct source_value of sources.bpf.c (SourcesObjectLayoutTest checks them)
    static final int KEY_SIZE = 24;
    static final int KEY_CGROUP = 0;
    static final int KEY_INO = 8;
    static final int KEY_DEV = 16;
    static final int VALUE_SIZE = 168;
    static final int VALUE_LOOKUPS = 0;
    static final int VALUE_UNLINKS = 8;
    static final int VALUE_DEPTH = 16;
    static final int VALUE_COMPLETE = 20;
    static final int VALUE_FSTYPE = 24;
    static final int FSTYPE_LEN = 16;
    static final int VALUE_SB_ID = 40;
    static final int SB_ID_LEN = 32;
    static final int VALUE_NAMES = 72;
    static final int NAME_LEN = 32;
    static final int DEPTH = 3;

    private final int topK;
    private final int nodeCap;
    private final boolean fold;
    private final int maxRowsPerCgroup;
    private final int maxRowsPerNode;
    private final Map<KernelKey, Last> lastKernel = new HashMap<>();
    private final Map<Long, Cgroup> cgroups = new HashMap<>();
    private int ownOnNode;
    private int rowsOnNode;

    // filled by entry() during one read
    private final Set<KernelKey> seen = new HashSet<>();
    private Instant now;

    SourcesLedger(int topK, int nodeCap, boolean fold) {
        this.topK = topK;
        this.nodeCap = nodeCap;
        this.fold = fold;
        this.maxRowsPerCgroup = Math.max(16, 4 * topK);
        this.maxRowsPerNode = Math.max(64, 4 * nodeCap);
    }

    /** Starts a read taken at {@code time}. */
    void begin(Instant time) {
        now = time;
        seen.clear();
    }

    /** One entry of the kernel map (struct source_key, struct source_value). */
    void entry(MemorySegment key, MemorySegment value) {
        KernelKey k = new KernelKey(key.get(JAVA_LONG, KEY_CGROUP), key.get(JAVA_LONG, KEY_INO),
                key.get(JAVA_INT, KEY_DEV));
        if (!seen.add(k)) {
            return; // the walk restarted after an eviction
        }
        long lookups = value.get(JAVA_LONG, VALUE_LOOKUPS);
        long unlinks = value.get(JAVA_LONG, VALUE_UNLINKS);
        Last last = lastKernel.get(k);
        if (last == null) {
            last = new Last(describe(value), cString(value, VALUE_FSTYPE, FSTYPE_LEN), cString(value, VALUE_SB_ID, SB_ID_LEN));
            lastKernel.put(k, last);
        }
        long dLookups = lookups >= last.lookups ? lookups - last.lookups : lookups;
        long dUnlinks = unlinks >= last.unlinks ? unlinks - last.unlinks : unlinks;
        last.lookups = lookups;
        last.unlinks = unlinks;
        if (dLookups == 0 && dUnlinks == 0) {
            return;
        }
        Cgroup cgroup = cgroups.computeIfAbsent(k.cgroup(), id -> new Cgroup());
        Row row = cgroup.rows.get(last.label);
        if (row == null) {
            row = new Row(last.label, last.fsType, last.device);
            cgroup.rows.put(last.label, row);
            rowsOnNode++;
        }
        row.pendingLookups += dLookups;
        row.pendingUnlinks += dUnlinks;
        row.lastSeen = now;
        cgroup.changed = true;
    }

    /**
     * Ends the read: places, counts, bounds.
     *
     * @param live  the cgroups the sample reports (others are dropped)
     * @param paths a cgroup id's path, or {@code ""}
     */
    NegativeSources end(Set<Long> live, LongFunction<String> paths, long kernelInserts) {
        lastKernel.keySet().retainAll(seen);
        for (Iterator<Map.Entry<Long, Cgroup>> it = cgroups.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Cgroup> e = it.next();
            if (!live.contains(e.getKey())) {
                drop(e.getValue());
                it.remove();
            }
        }
        for (Cgroup cgroup : cgroups.values()) {
            if (cgroup.changed) {
                place(cgroup);
                cgroup.changed = false;
            }
        }
        bound();
        List<CgroupNegativeSources> out = new ArrayList<>();
        for (Map.Entry<Long, Cgroup> e : cgroups.entrySet()) {
            Cgroup cgroup = e.getValue();
            List<DirectorySource> own = new ArrayList<>();
            for (Row row : cgroup.rows.values()) {
                if (row.own) {
                    own.add(new DirectorySource(row.label, row.fsType, row.device, row.lookups, row.unlinks));
                }
            }
            if (own.isEmpty() && cgroup.other == 0) {
                continue;
            }
            own.sort(Comparator.comparingLong(DirectorySource::total).reversed().thenComparing(DirectorySource::directory));
            out.add(new CgroupNegativeSources(e.getKey(), paths.apply(e.getKey()), own, cgroup.other));
        }
        out.sort(Comparator.comparingLong(CgroupNegativeSources::total).reversed()
                .thenComparingLong(CgroupNegativeSources::cgroupId));
        return new NegativeSources(Optional.empty(), out, seen.size(), kernelInserts, rowsOnNode);
    }

    /** Gives places to the rows that grew, counts what they grew. */
    private void place(Cgroup cgroup) {
        List<Row> contenders = new ArrayList<>();
        for (Row row : cgroup.rows.values()) {
            if (row.pendingLookups + row.pendingUnlinks == 0) {
                continue;
            }
            if (row.own) {
                row.grow();
            } else {
                contenders.add(row);
            }
        }
        contenders.sort(Comparator.comparingLong((Row r) -> r.pendingLookups + r.pendingUnlinks).reversed()
                .thenComparing(r -> r.label));
        List<Row> idle = null;
        for (Row row : contenders) {
            if (cgroup.own < topK && ownOnNode < nodeCap) {
                row.own = true;
                cgroup.own++;
                ownOnNode++;
                row.grow();
                continue;
            }
            if (idle == null) {
                Instant cutoff = now.minus(IDLE);
                idle = new ArrayList<>(cgroup.rows.values().stream()
                        .filter(r -> r.own && r.lastGrowth.isBefore(cutoff))
                        .sorted(Comparator.comparing((Row r) -> r.lastGrowth)).toList());
            }
            if (!idle.isEmpty()) {
                Row retired = idle.removeFirst(); // its series ends; what it counted goes to other
                retired.own = false;
                cgroup.other += retired.lookups + retired.unlinks;
                retired.lookups = 0;
                retired.unlinks = 0;
                row.own = true;
                row.grow();
                continue;
            }
            cgroup.other += row.pendingLookups + row.pendingUnlinks;
            row.pendingLookups = 0;
            row.pendingUnlinks = 0;
        }
    }

    /** Drops contenders (never an own place) past the per-cgroup and node bounds, the longest unseen first. */
    private void bound() {
        for (Cgroup cgroup : cgroups.values()) {
            if (cgroup.rows.size() > maxRowsPerCgroup) {
                trim(cgroup, cgroup.rows.size() - maxRowsPerCgroup);
            }
        }
        if (rowsOnNode > maxRowsPerNode) {
            List<Map.Entry<Cgroup, Row>> all = new ArrayList<>();
            for (Cgroup cgroup : cgroups.values()) {
                for (Row row : cgroup.rows.values()) {
                    if (!row.own) {
                        all.add(Map.entry(cgroup, row));
                    }
                }
            }
            all.sort(Comparator.comparing(e -> e.getValue().lastSeen));
            for (int i = 0; i < all.size() && rowsOnNode > maxRowsPerNode; i++) {
                all.get(i).getKey().rows.remove(all.get(i).getValue().label);
                rowsOnNode--;
            }
        }
    }

    private void trim(Cgroup cgroup, int excess) {
        List<Row> contenders = cgroup.rows.values().stream().filter(r -> !r.own)
                .sorted(Comparator.comparing((Row r) -> r.lastSeen)).limit(excess).toList();
        for (Row row : contenders) {
            cgroup.rows.remove(row.label);
            rowsOnNode--;
        }
    }

    private void drop(Cgroup cgroup) {
        ownOnNode -= cgroup.own;
        rowsOnNode -= cgroup.rows.size();
    }

    /** The label of a kernel value's directory. */
    private String describe(MemorySegment value) {
        int depth = Math.clamp(value.get(JAVA_INT, VALUE_DEPTH), 1, DEPTH);
        boolean complete = value.get(JAVA_INT, VALUE_COMPLETE) != 0;
        List<String> names = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            names.add(cString(value, VALUE_NAMES + (long) i * NAME_LEN, NAME_LEN));
        }
        return DirectoryNames.label(cString(value, VALUE_FSTYPE, FSTYPE_LEN), names, complete, fold);
    }

    private static String cString(MemorySegment s, long offset, int max) {
        int n = 0;
        while (n < max && s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(s, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private record KernelKey(long cgroup, long ino, int dev) {
    }

    /** The last values read of one kernel entry, and its directory's label. */
    private static final class Last {
        final String label;
        final String fsType;
        final String device;
        long lookups;
        long unlinks;

        Last(String label, String fsType, String device) {
            this.label = label;
            this.fsType = fsType;
            this.device = device;
        }
    }

    private static final class Cgroup {
        final Map<String, Row> rows = new HashMap<>();
        int own;
        long other;
        boolean changed;
    }

    /** A directory of one cgroup: a place of its own or a contender. */
    private final class Row {
        final String label;
        final String fsType;
        final String device;
        boolean own;
        long lookups;
        long unlinks;
        long pendingLookups;
        long pendingUnlinks;
        Instant lastSeen;
        Instant lastGrowth = Instant.EPOCH;

        Row(String label, String fsType, String device) {
            this.label = label;
            this.fsType = fsType;
            this.device = device;
        }

        void grow() {
            lookups += pendingLookups;
            unlinks += pendingUnlinks;
            pendingLookups = 0;
            pendingUnlinks = 0;
            lastGrowth = now;
        }
    }
}
