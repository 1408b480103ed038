package io.dentrywatch.oom;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One process killed by the kernel's OOM killer.
 *
 * <p>The cgroup is the victim's own: its memory cgroup on cgroup v1 and hybrid hosts (where the
 * memory controller lives in the v1 hierarchy), its v2 cgroup on v2 hosts. It is never the cgroup of
 * the task that happened to run the killer.
 *
 * @param time        when the victim was marked, to within microseconds
 * @param pid         the victim process (thread group id), in the host's pid namespace
 * @param tid         the victim thread the kernel chose, as the kernel log prints it ({@code Killed process <tid>})
 * @param comm        the victim's command name (up to 15 characters)
 * @param cgroupId    the victim's cgroup id: the cgroup directory's inode number
 * @param cgroupPath  the cgroup's path relative to its hierarchy root, starting with {@code /}
 * @param scope       whether a memory cgroup or the machine ran out of memory
 * @param memory      what the victim held, in bytes, for the types this kernel reports; a type
 *                    that is not known is absent, never zero
 * @param oomScoreAdj the victim's {@code oom_score_adj} (-1000 to 1000)
 */
public record OomKill(
        Instant time, int pid, int tid, String comm, long cgroupId, String cgroupPath, OomScope scope,
        Map<MemoryType, Long> memory, int oomScoreAdj) {

    public OomKill {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(comm, "comm");
        Objects.requireNonNull(cgroupPath, "cgroupPath");
        Objects.requireNonNull(scope, "scope");
        EnumMap<MemoryType, Long> copy = new EnumMap<>(MemoryType.class);
        copy.putAll(Objects.requireNonNull(memory, "memory"));
        memory = Collections.unmodifiableMap(copy);
    }

    /** The bytes of one memory type, or empty if this kernel does not report it. */
    public OptionalLong bytes(MemoryType type) {
        Long value = memory.get(type);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
