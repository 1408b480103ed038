package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentrySample;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Every metric family of the contract (the repository README's "Metrics" section) and of the monitor itself, as
 * Prometheus exposes it: name, type, unit, label names and HELP, written once for every metric
 * adapter. dentry-prometheus builds its descriptors from it; dentry-micrometer derives its dotted meter
 * names and tag names from it and uses the HELP as the meter description, so both render the same.
 *
 * <p>A family fed by core counters names them in {@link #sources()}: it is exported only for a sample
 * that {@linkplain #measuredIn measures} every one of them, and is absent rather than zero otherwise.
 */
public enum MetricFamily {

    /** Per container: dentries allocated ({@link DentryCounter#ALLOC}). */
    DENTRY_ALLOC("dentry_alloc_total", Type.COUNTER, "", Labels.CONTAINER, Set.of(DentryCounter.ALLOC),
            "Dentries allocated by tasks of this container since the monitor started; rate() is its dentry"
                    + " creation rate. A cgroup outside any pod has empty namespace and pod and its systemd unit"
                    + " or cgroup path as container; container _other sums the containers past the series cap."),
    /** Per container: dentries made positive ({@link DentryCounter#POSITIVE}). */
    DENTRY_POSITIVE("dentry_positive_total", Type.COUNTER, "", Labels.CONTAINER, Set.of(DentryCounter.POSITIVE),
            "Dentries that tasks of this container made positive (bound to an inode: a file found or created)"
                    + " since the monitor started."),
    /**
     * Per container: dentries made negative for either cause, {@link DentryCounter#NEGATIVE_LOOKUP} plus
     * {@link DentryCounter#NEGATIVE_UNLINK}; exported only when both are measured, as a partial sum would undercount.
     */
    DENTRY_NEGATIVE("dentry_negative_total", Type.COUNTER, "", Labels.CONTAINER,
            Set.of(DentryCounter.NEGATIVE_LOOKUP, DentryCounter.NEGATIVE_UNLINK),
            "Negative dentries that tasks of this container created (cached lookup misses and unlinked files)"
                    + " since the monitor started; they pile up until memory pressure reclaims them."),
    /** Per container, beyond the contract: the lookup-miss part of {@link #DENTRY_NEGATIVE}. */
    DENTRY_NEGATIVE_LOOKUP("dentry_negative_lookup_total", Type.COUNTER, "", Labels.CONTAINER,
            Set.of(DentryCounter.NEGATIVE_LOOKUP),
            "Lookup misses that tasks of this container cached as negative dentries (a name looked up that does"
                    + " not exist) since the monitor started; with dentry_negative_unlink_total it makes"
                    + " dentry_negative_total."),
    /** Per container, beyond the contract: the unlink part of {@link #DENTRY_NEGATIVE}. */
    DENTRY_NEGATIVE_UNLINK("dentry_negative_unlink_total", Type.COUNTER, "", Labels.CONTAINER,
            Set.of(DentryCounter.NEGATIVE_UNLINK),
            "Dentries that tasks of this container turned negative by deleting their file (unlink) since the"
                    + " monitor started; with dentry_negative_lookup_total it makes dentry_negative_total."),
    /** Per container, beyond the contract: objects reclaimed from its memory cgroup ({@link DentryCounter#RECLAIMED}). */
    DENTRY_RECLAIMED("dentry_reclaimed_total", Type.COUNTER, "", Labels.CONTAINER, Set.of(DentryCounter.RECLAIMED),
            "Objects (dentries, inodes, filesystem objects) the kernel's superblock shrinker freed from this"
                    + " container's memory cgroup since the monitor started, whichever task reclaimed them (kswapd,"
                    + " an allocating task): this container's share of node_dentry_reclaimed_objects_total."),
    /**
     * Per container: dentries it holds in the cache now, by the kernel's own memory-cgroup charge
     * ({@link io.dentrywatch.core.CgroupDentryCounts#resident()}, summed over its cgroups, never below 0).
     */
    DENTRY_RESIDENT("dentry_resident", Type.GAUGE, "", Labels.CONTAINER,
            Set.of(DentryCounter.CHARGED, DentryCounter.UNCHARGED),
            "Dentries this container holds in the node's dentry cache now: allocated since the monitor started,"
                    + " charged by the kernel to its memory cgroup, and not yet freed, whichever task frees them"
                    + " (kswapd, RCU). The pile memory-pressure reclaim will have to walk; a removed container's"
                    + " dentries count for its parent, as the kernel charges them. Dentries cached before the"
                    + " monitor started are in no container's count."),
    /** Per container: the negative ones among {@link #DENTRY_RESIDENT} ({@link io.dentrywatch.core.CgroupDentryCounts#negativeResident()}). */
    DENTRY_NEGATIVE_RESIDENT("dentry_negative_resident", Type.GAUGE, "", Labels.CONTAINER,
            Set.of(DentryCounter.CHARGED, DentryCounter.UNCHARGED, DentryCounter.BOUND, DentryCounter.UNBOUND),
            "Negative dentries (cached lookup misses and unlinked names) this container holds in the node's"
                    + " dentry cache now, by the kernel's memory-cgroup charge: the part of dentry_resident no file"
                    + " backs. fentry and kprobe modes only."),
    /**
     * Per container and directory, opt-in: where its negative dentries come from
     * ({@link io.dentrywatch.core.DentrySample#negativeSources()}): its top directories, the rest as
     * {@code directory="_other"}. Exported only when the sampler counts them (fentry and kprobe modes).
     */
    DENTRY_NEGATIVE_SOURCES("dentry_negative_sources_total", Type.COUNTER, "", List.of("namespace", "pod", "container",
            "directory"), Set.of(),
            "Negative dentries (lookup misses and unlinks) that tasks of this container made in this directory while"
                    + " it was one of the container's top directories; directory is the file system type and the last"
                    + " path components, names with numbers folded (tmp.*), and _other sums every other directory, so"
                    + " a container's series add up to all it made. Opt-in, fentry and kprobe modes only."),
    /** The node's dentry cache from {@code /proc/sys/fs/dentry-state}, by {@code type}. */
    NODE_DENTRY_COUNT("node_dentry_count", Type.GAUGE, "", List.of("type"), Set.of(),
            "Dentries in the node's dentry cache, from /proc/sys/fs/dentry-state: total is every allocated"
                    + " dentry, unused those no one references (on the LRU, reclaimable), negative the cached lookup"
                    + " misses. Reclaiming tens of millions at once can stall the node."),
    /** Node-wide, beyond the contract: dentries freed ({@link DentryCounter#FREED}). */
    NODE_DENTRY_FREED("node_dentry_freed_total", Type.COUNTER, "", List.of(), Set.of(DentryCounter.FREED),
            "Dentries freed on this node since the monitor started, by any task: frees run in reclaim and RCU"
                    + " context, so they are not split by container. sum(rate(dentry_alloc_total)) minus"
                    + " rate(node_dentry_freed_total) is how fast the dentry cache grows."),
    /** Node-wide: superblock-shrinker runs ({@link DentryCounter#RECLAIM}, {@link io.dentrywatch.core.DentryReclaim#runs()}). */
    NODE_DENTRY_RECLAIM("node_dentry_reclaim_total", Type.COUNTER, "", List.of(), Set.of(DentryCounter.RECLAIM),
            "Runs of the kernel's superblock shrinker over the dentry cache (super_cache_scan) on this node since"
                    + " the monitor started: memory-pressure reclaim (kswapd, direct reclaim) and drop_caches trimming"
                    + " a filesystem's dentry and inode caches. node_dentry_reclaim_duration_seconds says how long they"
                    + " take."),
    /** Node-wide, beyond the contract: objects those runs were asked to scan. */
    NODE_DENTRY_RECLAIM_SCANNED("node_dentry_reclaim_scanned_objects_total", Type.COUNTER, "", List.of(),
            Set.of(DentryCounter.RECLAIM),
            "Objects (dentries, inodes, filesystem objects) the superblock shrinker runs on this node were asked"
                    + " to scan since the monitor started; against node_dentry_reclaimed_objects_total it shows how"
                    + " much scanning it takes to free memory."),
    /** Node-wide, beyond the contract: objects those runs freed. */
    NODE_DENTRY_RECLAIMED("node_dentry_reclaimed_objects_total", Type.COUNTER, "", List.of(),
            Set.of(DentryCounter.RECLAIM),
            "Objects the superblock shrinker freed on this node since the monitor started: dentries, inodes and"
                    + " filesystem objects together, not dentries alone. dentry_reclaimed_total splits it by container."),
    /**
     * Node-wide, beyond the contract: superblock-shrinker run durations, a histogram folded from the core's
     * log2 buckets ({@link ReclaimDurationHistogram}).
     */
    NODE_DENTRY_RECLAIM_DURATION("node_dentry_reclaim_duration_seconds", Type.HISTOGRAM, "seconds", List.of(),
            Set.of(DentryCounter.RECLAIM),
            "Seconds each superblock shrinker run on this node took, start to end, since the monitor started."
                    + " Long runs hold the dentry LRU locks and can stall CPUs (soft lockups). Buckets grow by 4x from"
                    + " 2^10 ns (about 1 microsecond) to 2^34 ns (about 17 seconds); _count is node_dentry_reclaim_total."),
    /** Node-wide, beyond the contract: {@code prune_dcache_sb} calls ({@link DentryCounter#PRUNE_DCACHE_SB}). */
    NODE_DENTRY_PRUNE_DCACHE_SB("node_dentry_prune_dcache_sb_total", Type.COUNTER, "", List.of(),
            Set.of(DentryCounter.PRUNE_DCACHE_SB),
            "Calls of the kernel's prune_dcache_sb on this node since the monitor started: the step of a"
                    + " superblock shrinker run (memory pressure, drop_caches) that frees a filesystem's unused dentries."),
    /** Node-wide, beyond the contract: {@code shrink_dcache_sb} calls ({@link DentryCounter#SHRINK_DCACHE_SB}). */
    NODE_DENTRY_SHRINK_DCACHE_SB("node_dentry_shrink_dcache_sb_total", Type.COUNTER, "", List.of(),
            Set.of(DentryCounter.SHRINK_DCACHE_SB),
            "Calls of the kernel's shrink_dcache_sb on this node since the monitor started: all of a superblock's"
                    + " unused dentries dropped at remount, unmount or block device invalidation, not by memory"
                    + " pressure."),
    /**
     * Per container, from the OOM watcher: its kills ({@link io.dentrywatch.oom.OomCgroupStats#kills()}),
     * summed over the cgroups that resolve to the container.
     */
    OOM_KILLS("oom_kills_total", Type.COUNTER, "", Labels.NODE_CONTAINER, Set.of(),
            "Processes of this container the kernel's OOM killer killed (oom:mark_victim) since the watcher started."
                    + " A cgroup outside any pod has empty namespace and pod; container _other sums the containers past"
                    + " the series cap. A container not OOM-killed for the series retention (a day by default) drops"
                    + " out until its next kill."),
    /** Node-wide, from the OOM watcher: every kill ({@link io.dentrywatch.oom.OomStats#kills()}). */
    OOM_KILLS_PER_NODE("oom_kills_per_node_total", Type.COUNTER, "", List.of("node"), Set.of(),
            "Processes the kernel's OOM killer killed on this node since the watcher started, in any cgroup; exported"
                    + " (0 until the first kill) whenever the OOM watcher runs."),
    /** Per container and memory type: what the victim of its latest kill held ({@link io.dentrywatch.oom.OomKill#memory()}). */
    OOM_MEMORY_USAGE("oom_memory_usage_bytes", Type.GAUGE, "bytes", Labels.NODE_CONTAINER_MEMORY_TYPE, Set.of(),
            "Memory the process of this container's latest OOM kill held when it was killed, in bytes, by"
                    + " memory_type: anon_rss, file_rss and shmem_rss (resident), total_vm (address space), pgtables."
                    + " A type the kernel does not report is absent."),
    /** Per container: when its latest kill happened ({@link io.dentrywatch.oom.OomKill#time()}). */
    OOM_LAST_TIMESTAMP("oom_last_timestamp", Type.GAUGE, "", Labels.NODE_CONTAINER, Set.of(),
            "Unix time in seconds of this container's latest OOM kill."),
    /** Node-wide, beyond the contract: kills that never reached the watcher ({@link io.dentrywatch.oom.OomStats#lostEvents()}). */
    OOM_LOST_EVENTS("oom_lost_events_total", Type.COUNTER, "", List.of("node"), Set.of(),
            "OOM kills the kernel reported that never reached the watcher (its event buffer was full); above zero,"
                    + " the OOM counts undercount."),
    /** Beyond the contract: one series per thing the OOM watcher cannot do ({@link io.dentrywatch.oom.OomWatcher#degraded()}). */
    OOM_DEGRADED("oom_watcher_degraded_info", Type.INFO, "", List.of("node", "reason"), Set.of(),
            "Always 1, one series per thing the OOM watcher cannot do on this node, with the reason (for example"
                    + " telling a memory cgroup's OOM from the node's); absent when it works fully."),
    /** How the monitor runs; the labels are the contract's. */
    MONITOR_INFO("dentry_monitor_info", Type.INFO, "", List.of("mode", "kernel", "cgroup_mode", "version"), Set.of(),
            "Always 1. How the monitor runs: mode is the probe attach mode (fentry, kprobe, tracepoint, or none"
                    + " for node-wide numbers only), kernel the kernel release, cgroup_mode v2, hybrid or v1, version"
                    + " the dentrywatch version."),
    /** Which cgroup events are counted under ({@link io.dentrywatch.core.SamplerInfo#cgroupKey()}). */
    MONITOR_CGROUP_KEY("dentry_monitor_cgroup_key_info", Type.INFO, "", List.of("key"), Set.of(),
            "Always 1. Which cgroup the probes count a task's dentries under: v2 for its cgroup in the unified"
                    + " hierarchy, memory for its memory cgroup (on v1 and hybrid hosts, where containers live in the"
                    + " v1 memory hierarchy)."),
    /** One series per degraded thing ({@link io.dentrywatch.core.SamplerInfo#degraded()}). */
    MONITOR_DEGRADED("dentry_monitor_degraded_info", Type.INFO, "", List.of("reason"), Set.of(),
            "Always 1, one series per thing the monitor cannot measure on this node, with the reason; absent"
                    + " when everything the attach mode offers is live."),
    /** 0 or 1 for each family of {@link #measurable()}, labelled with its {@link #prometheusName()}. */
    FAMILY_AVAILABLE("dentry_monitor_family_available", Type.GAUGE, "", List.of("family"), Set.of(),
            "1 if this node measures the family (one the probes feed: a per-container counter, node frees or"
                    + " reclaim), 0 if not: a family at 0 is absent from the scrape rather than zero, and"
                    + " dentry_monitor_info and dentry_monitor_degraded_info say why."),
    /** Cgroups in the last sample. */
    TRACKED_CGROUPS("dentry_monitor_tracked_cgroups", Type.GAUGE, "", List.of(), Set.of(),
            "Cgroups in the last kernel reading: those the probes have counted dentries for."),
    /** {@link Reading#ownSeries()} and {@link Reading#containersInOther()}, by {@code series}. */
    CONTAINERS("dentry_monitor_containers", Type.GAUGE, "", List.of("series"), Set.of(),
            "Containers exported, live or within the deletion grace period, by series: own for those with"
                    + " their own series, other for those summed into container _other because the series cap was"
                    + " reached."),
    /** {@link Reading#mapFullDrops()}. */
    MAP_FULL_DROPS("dentry_monitor_map_full_drops_total", Type.COUNTER, "", List.of(), Set.of(),
            "Dentry events the kernel could not count because the per-cgroup BPF map was full; above zero,"
                    + " per-container numbers undercount."),
    /** {@link Reading#ownerUnknown()}. */
    OWNER_UNKNOWN("dentry_monitor_owner_unknown_total", Type.COUNTER, "", List.of(), Set.of(),
            "Dentry events whose owner (the memory cgroup the kernel charged the dentry to) the probes could not"
                    + " read; above zero, dentry_resident undercounts."),
    /** How long the last sample took. */
    SAMPLE_DURATION("dentry_monitor_sample_duration_seconds", Type.GAUGE, "seconds", List.of(), Set.of(),
            "Seconds the last kernel reading took (BPF maps and /proc/sys/fs/dentry-state)."),
    /** When the last sample was taken. */
    SAMPLE_TIMESTAMP("dentry_monitor_sample_timestamp_seconds", Type.GAUGE, "seconds", List.of(), Set.of(),
            "Unix time in seconds of the kernel reading the exported values come from; scrapes closer together"
                    + " than the minimum read interval share one reading."),
    /** {@link Reading#reads()}. */
    READS("dentry_monitor_reads_total", Type.COUNTER, "", List.of(), Set.of(),
            "Kernel readings taken to answer scrapes."),
    /** {@link Reading#readErrors()}. */
    READ_ERRORS("dentry_monitor_read_errors_total", Type.COUNTER, "", List.of(), Set.of(),
            "Kernel readings that failed; meanwhile the values of the last good reading are exported.");

    /** How a family is exposed. */
    public enum Type {
        /** A monotonic counter; its name ends in {@code _total}. */
        COUNTER,
        /** A value that goes up and down. */
        GAUGE,
        /** Always 1; the labels carry the information. Its name ends in {@code _info}. */
        INFO,
        /**
         * A classic cumulative histogram: its name is the base of the {@code _bucket} series (by {@code le}),
         * {@code _sum} and {@code _count}.
         */
        HISTOGRAM
    }

    /** Label name lists shared by several families (a holder, as enum constants cannot use their own statics). */
    private static final class Labels {
        static final List<String> CONTAINER = List.of("namespace", "pod", "container");
        static final List<String> NODE_CONTAINER = List.of("node", "namespace", "pod", "container");
        static final List<String> NODE_CONTAINER_MEMORY_TYPE = List.of("node", "namespace", "pod", "container", "memory_type");
    }

    private static final List<MetricFamily> OOM_WATCHER = List.of(OOM_KILLS, OOM_KILLS_PER_NODE, OOM_MEMORY_USAGE,
            OOM_LAST_TIMESTAMP, OOM_LOST_EVENTS, OOM_DEGRADED);
    private static final List<MetricFamily> SAMPLER = Arrays.stream(values())
            .filter(f -> !OOM_WATCHER.contains(f)).toList();
    private static final List<MetricFamily> MEASURABLE =
            Arrays.stream(values()).filter(f -> !f.sources.isEmpty()).toList();
    private static final List<MetricFamily> PER_CONTAINER =
            Arrays.stream(values()).filter(MetricFamily::perContainer).toList();
    private static final List<MetricFamily> NODE_COUNTERS = Arrays.stream(values())
            .filter(f -> !f.sources.isEmpty() && !f.perContainer() && f.type == Type.COUNTER).toList();

    private final String prometheusName;
    private final Type type;
    private final String unit;
    private final List<String> labelNames;
    private final Set<DentryCounter> sources;
    private final String help;

    MetricFamily(String prometheusName, Type type, String unit, List<String> labelNames, Set<DentryCounter> sources,
                 String help) {
        this.prometheusName = prometheusName;
        this.type = type;
        this.unit = unit;
        this.labelNames = labelNames;
        this.sources = sources;
        this.help = help;
    }

    /**
     * The name as Prometheus exposes it, suffixes included ({@code _total}, {@code _info}, the unit).
     *
     * @return for example {@code dentry_alloc_total}
     */
    public String prometheusName() {
        return prometheusName;
    }

    /**
     * The family's type.
     *
     * @return counter, gauge, info or histogram
     */
    public Type type() {
        return type;
    }

    /**
     * The base unit, which the name ends with.
     *
     * @return {@code seconds}, {@code bytes}, or {@code ""} for none
     */
    public String unit() {
        return unit;
    }

    /**
     * The label names, in Prometheus form ({@code cgroup_mode}).
     *
     * @return empty for a family of one series
     */
    public List<String> labelNames() {
        return labelNames;
    }

    /**
     * The HELP text, also the Micrometer meter description.
     *
     * @return one or more sentences
     */
    public String help() {
        return help;
    }

    /**
     * The core counters whose sum is this family's value.
     *
     * @return empty for a family no core counter feeds
     */
    public Set<DentryCounter> sources() {
        return sources;
    }

    /**
     * Whether this family is fed by per-cgroup counters and exported per container (one series per
     * {@link ContainerSeries}, valued {@link ContainerSeries#value(MetricFamily)}).
     *
     * @return {@code true} for the {@code dentry_*_total} families labelled namespace, pod and container
     */
    public boolean perContainer() {
        return !sources.isEmpty() && labelNames.equals(Labels.CONTAINER);
    }

    /**
     * Whether a sample measures this family: it has sources and the sample measures every one of them.
     *
     * @param sample a sample from the sampler
     * @return {@code true} if the family is to be exported for this sample
     */
    public boolean measuredIn(DentrySample sample) {
        return !sources.isEmpty() && sample.counters().containsAll(sources);
    }

    /**
     * The families a sample may or may not measure, which {@link #FAMILY_AVAILABLE} reports on.
     *
     * @return the families with {@link #sources()}, in declaration order
     */
    public static List<MetricFamily> measurable() {
        return MEASURABLE;
    }

    /**
     * The per-container families, in declaration order.
     *
     * @return the families whose {@link #perContainer()} holds
     */
    public static List<MetricFamily> perContainerFamilies() {
        return PER_CONTAINER;
    }

    /**
     * The families the OOM watcher feeds ({@link io.dentrywatch.oom.OomWatcher#stats()}), each labelled
     * {@code node}: the contract's four {@code oom_*} families, lost events and the watcher's degraded parts.
     *
     * @return those families, in declaration order
     */
    public static List<MetricFamily> oomWatcherFamilies() {
        return OOM_WATCHER;
    }

    /**
     * The families the dentry sampler feeds: every family but {@link #oomWatcherFamilies()}.
     *
     * @return those families, in declaration order
     */
    public static List<MetricFamily> samplerFamilies() {
        return SAMPLER;
    }

    /**
     * The node-wide counters the probes feed, each one series without labels valued
     * {@link Reading#nodeCount(MetricFamily)}: node frees and the reclaim counters.
     *
     * @return the counters with {@link #sources()} that are not {@link #perContainer()}, in declaration order
     */
    public static List<MetricFamily> nodeCounters() {
        return NODE_COUNTERS;
    }
}
