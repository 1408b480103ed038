package io.dentrywatch.prometheus;

import io.dentrywatch.core.DentryCounter;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Every metric family of the contract in DESIGN.md and of the monitor itself: name, type, HELP and
 * label names, in one place. dentry-micrometer's {@code MeterNames} carries the same names and HELP
 * text; its tests compare the two renderings.
 */
final class Families {

    static final String NAMESPACE = "namespace";
    static final String POD = "pod";
    static final String CONTAINER = "container";

    /** The per-container counter families, and which core counter feeds each. */
    enum ContainerFamily {
        ALLOC("dentry_alloc_total",
                "Dentries allocated by tasks of this container since the monitor started; rate() is its dentry"
                        + " creation rate. A cgroup outside any pod has empty namespace and pod and its systemd unit"
                        + " or cgroup path as container; container _other sums the containers past the series cap."),
        POSITIVE("dentry_positive_total",
                "Dentries that tasks of this container made positive (bound to an inode: a file found or created)"
                        + " since the monitor started."),
        NEGATIVE("dentry_negative_total",
                "Negative dentries that tasks of this container created (cached lookup misses and unlinked files)"
                        + " since the monitor started; they pile up until memory pressure reclaims them.");

        /** The exposed name, also the value of {@code dentry_monitor_family_available}'s {@code family} label. */
        final String name;
        final MetricFamilyDescriptor descriptor;

        ContainerFamily(String name, String help) {
            this.name = name;
            this.descriptor = MetricFamilyDescriptor.counter(name).help(help).labelNames(NAMESPACE, POD, CONTAINER).build();
        }

        /**
         * The core counters whose sum feeds this family; the family is exported only when the sample
         * says all of them are measured. Empty while the core cannot measure it at all.
         */
        Set<DentryCounter> sources() {
            return switch (this) {
                case ALLOC -> Set.of(DentryCounter.ALLOC);
                // the core counts neither yet: map them here when it does (negative may be a sum of several)
                case POSITIVE, NEGATIVE -> Set.of();
            };
        }

        /** Whether this family is exported for a sample that measures {@code measured}. */
        boolean fedBy(Set<DentryCounter> measured) {
            return !sources().isEmpty() && measured.containsAll(sources());
        }

        /** This family's value for one series: the sum of its sources. */
        long valueOf(ContainerSeries series) {
            long value = 0;
            for (DentryCounter source : sources()) {
                value += series.count(source);
            }
            return value;
        }
    }

    static final MetricFamilyDescriptor NODE_DENTRY_COUNT = MetricFamilyDescriptor.gauge("node_dentry_count")
            .help("Dentries in the node's dentry cache, from /proc/sys/fs/dentry-state: total is every allocated"
                    + " dentry, unused those no one references (on the LRU, reclaimable), negative the cached lookup"
                    + " misses. Reclaiming tens of millions at once can stall the node.")
            .labelNames("type")
            .build();

    /** Declared for the reclaim feed, which a later issue adds; not emitted yet. */
    static final MetricFamilyDescriptor NODE_DENTRY_RECLAIM = MetricFamilyDescriptor.counter("node_dentry_reclaim_total")
            .help("Runs of the kernel's superblock shrinker over the dentry cache (super_cache_scan) on this node.")
            .build();

    static final String NODE = "node";

    /** Declared for the OOM watcher feed, which a later issue adds; not emitted yet. */
    static final MetricFamilyDescriptor OOM_KILLS = MetricFamilyDescriptor.counter("oom_kills_total")
            .help("OOM kills of processes in this container, as the kernel's oom:mark_victim tracepoint reports them.")
            .labelNames(NODE, NAMESPACE, POD, CONTAINER)
            .build();

    /** Declared for the OOM watcher feed, which a later issue adds; not emitted yet. */
    static final MetricFamilyDescriptor OOM_KILLS_PER_NODE = MetricFamilyDescriptor.counter("oom_kills_per_node_total")
            .help("OOM kills on this node, of any process.")
            .labelNames(NODE)
            .build();

    /** Declared for the OOM watcher feed, which a later issue adds; not emitted yet. */
    static final MetricFamilyDescriptor OOM_MEMORY_USAGE = MetricFamilyDescriptor.gauge("oom_memory_usage_bytes")
            .help("Memory of the last OOM-killed process of this container at kill time, by memory_type: anon_rss,"
                    + " file_rss, shmem_rss, total_vm, pgtables.")
            .unit(Unit.BYTES)
            .labelNames(NODE, NAMESPACE, POD, CONTAINER, "memory_type")
            .build();

    /** Declared for the OOM watcher feed, which a later issue adds; not emitted yet. */
    static final MetricFamilyDescriptor OOM_LAST_TIMESTAMP = MetricFamilyDescriptor.gauge("oom_last_timestamp")
            .help("Unix time in seconds of the last OOM kill in this container.")
            .labelNames(NODE, NAMESPACE, POD, CONTAINER)
            .build();

    /** The OOM families, for the collector to declare once an OOM watcher is supplied. */
    static final List<MetricFamilyDescriptor> OOM = List.of(OOM_KILLS, OOM_KILLS_PER_NODE, OOM_MEMORY_USAGE, OOM_LAST_TIMESTAMP);

    static final MetricFamilyDescriptor MONITOR_INFO = MetricFamilyDescriptor.info("dentry_monitor_info")
            .help("Always 1. How the monitor runs: mode is the probe attach mode (fentry, kprobe, tracepoint, or none"
                    + " for node-wide numbers only), kernel the kernel release, cgroup_mode v2, hybrid or v1, version"
                    + " the dentrywatch version.")
            .labelNames("mode", "kernel", "cgroup_mode", "version")
            .build();

    static final MetricFamilyDescriptor MONITOR_DEGRADED = MetricFamilyDescriptor.info("dentry_monitor_degraded_info")
            .help("Always 1, one series per thing the monitor cannot measure on this node, with the reason; absent"
                    + " when everything the attach mode offers is live.")
            .labelNames("reason")
            .build();

    static final MetricFamilyDescriptor FAMILY_AVAILABLE = MetricFamilyDescriptor.gauge("dentry_monitor_family_available")
            .help("1 if this node measures the per-container family, 0 if not: a family at 0 is absent from the"
                    + " scrape rather than zero, and dentry_monitor_info and dentry_monitor_degraded_info say why.")
            .labelNames("family")
            .build();

    static final MetricFamilyDescriptor TRACKED_CGROUPS = MetricFamilyDescriptor.gauge("dentry_monitor_tracked_cgroups")
            .help("Cgroups in the last kernel reading: those the probes have counted dentries for.")
            .build();

    static final MetricFamilyDescriptor CONTAINERS = MetricFamilyDescriptor.gauge("dentry_monitor_containers")
            .help("Containers exported, live or within the deletion grace period, by series: own for those with"
                    + " their own series, other for those summed into container _other because the series cap was"
                    + " reached.")
            .labelNames("series")
            .build();

    static final MetricFamilyDescriptor MAP_FULL_DROPS = MetricFamilyDescriptor.counter("dentry_monitor_map_full_drops_total")
            .help("Dentry events the kernel could not count because the per-cgroup BPF map was full; above zero,"
                    + " per-container numbers undercount.")
            .build();

    static final MetricFamilyDescriptor SAMPLE_DURATION = MetricFamilyDescriptor.gauge("dentry_monitor_sample_duration_seconds")
            .help("Seconds the last kernel reading took (BPF maps and /proc/sys/fs/dentry-state).")
            .unit(Unit.SECONDS)
            .build();

    static final MetricFamilyDescriptor SAMPLE_TIMESTAMP = MetricFamilyDescriptor.gauge("dentry_monitor_sample_timestamp_seconds")
            .help("Unix time in seconds of the kernel reading the exported values come from; scrapes closer together"
                    + " than the minimum read interval share one reading.")
            .unit(Unit.SECONDS)
            .build();

    static final MetricFamilyDescriptor READS = MetricFamilyDescriptor.counter("dentry_monitor_reads_total")
            .help("Kernel readings taken to answer scrapes.")
            .build();

    static final MetricFamilyDescriptor READ_ERRORS = MetricFamilyDescriptor.counter("dentry_monitor_read_errors_total")
            .help("Kernel readings that failed; meanwhile the values of the last good reading are exported.")
            .build();

    /** Every family the collector can emit today: what it declares at registration. */
    static final List<MetricFamilyDescriptor> EMITTED = emitted();

    private static List<MetricFamilyDescriptor> emitted() {
        List<MetricFamilyDescriptor> families = new ArrayList<>();
        for (ContainerFamily family : ContainerFamily.values()) {
            families.add(family.descriptor);
        }
        families.addAll(List.of(NODE_DENTRY_COUNT, MONITOR_INFO, MONITOR_DEGRADED, FAMILY_AVAILABLE, TRACKED_CGROUPS,
                CONTAINERS, MAP_FULL_DROPS, SAMPLE_DURATION, SAMPLE_TIMESTAMP, READS, READ_ERRORS));
        return List.copyOf(families);
    }

    private Families() {
    }
}
