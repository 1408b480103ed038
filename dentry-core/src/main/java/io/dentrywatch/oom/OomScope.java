package io.dentrywatch.oom;

/** What ran out of memory when the OOM killer ran. */
public enum OomScope {
    /** A memory cgroup reached its limit ({@code memory.max} on v2, {@code memory.limit_in_bytes} on v1). */
    MEMORY_CGROUP,
    /** The machine (or a NUMA node or cpuset) ran out of memory. */
    GLOBAL,
    /** Not known: the reclaim tracepoints could not be attached, or the killer ran without reclaiming first (sysrq-f). */
    UNKNOWN
}
