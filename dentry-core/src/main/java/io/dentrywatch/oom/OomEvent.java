package io.dentrywatch.oom;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code struct oom_event} as {@code oom.h} sends it, decoded: memory in pages as the kernel
 * counts it, the cgroup path leaf first. Records from a perf buffer are only 4-byte aligned, so every
 * field is read unaligned.
 *
 * @param monoNanos     {@code CLOCK_MONOTONIC} at the tracepoint
 * @param memcgId       the victim's memory-controller cgroup id (0 if unknown)
 * @param dflId         the victim's v2 cgroup id (0 if unknown)
 * @param known         {@code OOM_KNOWN_*} bits
 * @param flags         {@code OOM_F_*} bits
 * @param pathLeafFirst the cgroup's directory names from the cgroup up to (not including) the root
 */
record OomEvent(
        long monoNanos, long memcgId, long dflId, long totalVmPages, long anonRssPages, long fileRssPages,
        long shmemRssPages, long pgtablesBytes, int known, int flags, int tgid, int tid, int invokerTid,
        short oomScoreAdj, String comm, List<String> pathLeafFirst) {

    // struct oom_event in oom.h
    static final int SIZE = 1384;
    static final int PATH_DEPTH = 10;
    static final int NAME_LEN = 128;
    static final long MONO_NS = 0;
    static final long MEMCG_INO = 8;
    static final long DFL_INO = 16;
    static final long TOTAL_VM = 24;
    static final long ANON_RSS = 32;
    static final long FILE_RSS = 40;
    static final long SHMEM_RSS = 48;
    static final long PGTABLES = 56;
    static final long KNOWN = 64;
    static final long FLAGS = 68;
    static final long TGID = 72;
    static final long TID = 76;
    static final long INVOKER_TID = 80;
    static final long OOM_SCORE_ADJ = 84;
    static final long PATH_DEPTH_OFFSET = 86;
    static final long COMM = 88;
    static final int COMM_LEN = 16;
    static final long PATH = 104;

    static final int KNOWN_TOTAL_VM = 1;
    static final int KNOWN_ANON_RSS = 1 << 1;
    static final int KNOWN_FILE_RSS = 1 << 2;
    static final int KNOWN_SHMEM_RSS = 1 << 3;
    static final int KNOWN_PGTABLES = 1 << 4;
    static final int KNOWN_OOM_SCORE_ADJ = 1 << 5;
    static final int KNOWN_TASK = 1 << 6;

    static final int F_KILLED = 1;
    static final int F_SCOPE_MEMCG = 1 << 1;
    static final int F_SCOPE_GLOBAL = 1 << 2;
    static final int F_PATH_MEMORY_V1 = 1 << 3;
    static final int F_PATH_TRUNCATED = 1 << 4;

    OomEvent {
        pathLeafFirst = List.copyOf(pathLeafFirst);
    }

    /**
     * Decodes one record.
     *
     * @throws IllegalArgumentException if the record is not a {@code struct oom_event} of this version
     */
    static OomEvent decode(MemorySegment record) {
        // a perf buffer pads raw samples so that sample plus its u32 size header fill whole u64s
        if (record.byteSize() < SIZE || record.byteSize() >= SIZE + 8) {
            throw new IllegalArgumentException("an OOM event record has " + SIZE + " bytes (plus up to 7 of padding), not "
                    + record.byteSize() + ": oom.bpf.o and dentry-core are from different versions");
        }
        int depth = Math.min(Byte.toUnsignedInt(record.get(JAVA_BYTE, PATH_DEPTH_OFFSET)), PATH_DEPTH);
        List<String> names = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            names.add(string(record, PATH + (long) i * NAME_LEN, NAME_LEN));
        }
        return new OomEvent(
                record.get(JAVA_LONG_UNALIGNED, MONO_NS),
                record.get(JAVA_LONG_UNALIGNED, MEMCG_INO),
                record.get(JAVA_LONG_UNALIGNED, DFL_INO),
                record.get(JAVA_LONG_UNALIGNED, TOTAL_VM),
                record.get(JAVA_LONG_UNALIGNED, ANON_RSS),
                record.get(JAVA_LONG_UNALIGNED, FILE_RSS),
                record.get(JAVA_LONG_UNALIGNED, SHMEM_RSS),
                record.get(JAVA_LONG_UNALIGNED, PGTABLES),
                record.get(JAVA_INT_UNALIGNED, KNOWN),
                record.get(JAVA_INT_UNALIGNED, FLAGS),
                record.get(JAVA_INT_UNALIGNED, TGID),
                record.get(JAVA_INT_UNALIGNED, TID),
                record.get(JAVA_INT_UNALIGNED, INVOKER_TID),
                record.get(JAVA_SHORT_UNALIGNED, OOM_SCORE_ADJ),
                string(record, COMM, COMM_LEN),
                names);
    }

    /** A NUL-terminated string in a fixed-size field (the whole field if it has no NUL). */
    private static String string(MemorySegment record, long offset, int max) {
        int length = 0;
        while (length < max && record.get(JAVA_BYTE, offset + length) != 0) {
            length++;
        }
        byte[] bytes = new byte[length];
        MemorySegment.copy(record, JAVA_BYTE, offset, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The OOM killer sent the victim SIGKILL (rather than marking an already exiting task). */
    boolean killed() {
        return (flags & F_KILLED) != 0;
    }

    /** What ran out, as the invoker's last reclaim says. */
    OomScope scope() {
        if ((flags & F_SCOPE_MEMCG) != 0) {
            return OomScope.MEMORY_CGROUP;
        }
        if ((flags & F_SCOPE_GLOBAL) != 0) {
            return OomScope.GLOBAL;
        }
        return OomScope.UNKNOWN;
    }

    /** Whether the cgroup is in the v1 memory hierarchy (v1 and hybrid hosts) rather than the v2 one. */
    boolean inMemoryV1Hierarchy() {
        return (flags & F_PATH_MEMORY_V1) != 0;
    }

    /** The victim's cgroup id in the hierarchy {@link #path()} belongs to. */
    long cgroupId() {
        return inMemoryV1Hierarchy() ? memcgId : dflId;
    }

    /** Whether {@link #path()} is complete: not deeper than the event holds, no name cut. */
    boolean pathComplete() {
        return (flags & F_PATH_TRUNCATED) == 0 && (known & KNOWN_TASK) != 0;
    }

    /** The cgroup's path below its hierarchy's root, {@code /} for the root itself. */
    String path() {
        StringBuilder path = new StringBuilder();
        for (int i = pathLeafFirst.size() - 1; i >= 0; i--) {
            path.append('/').append(pathLeafFirst.get(i));
        }
        return path.isEmpty() ? "/" : path.toString();
    }

    /** The memory types the kernel reported, in bytes. */
    Map<MemoryType, Long> memoryBytes(long pageSize) {
        Map<MemoryType, Long> bytes = new EnumMap<>(MemoryType.class);
        if ((known & KNOWN_TOTAL_VM) != 0) {
            bytes.put(MemoryType.TOTAL_VM, totalVmPages * pageSize);
        }
        if ((known & KNOWN_ANON_RSS) != 0) {
            bytes.put(MemoryType.ANON_RSS, anonRssPages * pageSize);
        }
        if ((known & KNOWN_FILE_RSS) != 0) {
            bytes.put(MemoryType.FILE_RSS, fileRssPages * pageSize);
        }
        if ((known & KNOWN_SHMEM_RSS) != 0) {
            bytes.put(MemoryType.SHMEM_RSS, shmemRssPages * pageSize);
        }
        if ((known & KNOWN_PGTABLES) != 0) {
            bytes.put(MemoryType.PGTABLES, pgtablesBytes);
        }
        return bytes;
    }
}
