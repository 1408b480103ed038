package io.dentrywatch.micrometer;

import io.dentrywatch.core.DentryCounter;

import java.util.Set;

/**
 * Every meter of the metric contract in DESIGN.md and of the monitor itself, in Micrometer's dotted
 * names, with the same HELP text as dentry-prometheus's {@code Families}: rendered by Micrometer's
 * Prometheus registry, the two modules expose the same names, labels and HELP, which the tests check.
 */
final class MeterNames {

    static final String NAMESPACE = "namespace";
    static final String POD = "pod";
    static final String CONTAINER = "container";
    static final String NODE = "node";

    /** The per-container counters, and which core counter feeds each. */
    enum ContainerMeter {
        ALLOC("dentry.alloc", "dentry_alloc_total",
                "Dentries allocated by tasks of this container since the monitor started; rate() is its dentry"
                        + " creation rate. A cgroup outside any pod has empty namespace and pod and its systemd unit"
                        + " or cgroup path as container; container _other sums the containers past the series cap."),
        POSITIVE("dentry.positive", "dentry_positive_total",
                "Dentries that tasks of this container made positive (bound to an inode: a file found or created)"
                        + " since the monitor started."),
        NEGATIVE("dentry.negative", "dentry_negative_total",
                "Negative dentries that tasks of this container created (cached lookup misses and unlinked files)"
                        + " since the monitor started; they pile up until memory pressure reclaims them.");

        final String name;
        /** The name as Prometheus shows it: the value of {@code dentry.monitor.family.available}'s {@code family} tag. */
        final String prometheusName;
        final String help;

        ContainerMeter(String name, String prometheusName, String help) {
            this.name = name;
            this.prometheusName = prometheusName;
            this.help = help;
        }

        /**
         * The core counters whose sum feeds this meter; the meter is registered only when the sample
         * says all of them are measured. Empty while the core cannot measure it at all.
         */
        Set<DentryCounter> sources() {
            return switch (this) {
                case ALLOC -> Set.of(DentryCounter.ALLOC);
                // the core counts neither yet: map them here when it does (negative may be a sum of several)
                case POSITIVE, NEGATIVE -> Set.of();
            };
        }

        /** Whether this meter is registered for a sample that measures {@code measured}. */
        boolean fedBy(Set<DentryCounter> measured) {
            return !sources().isEmpty() && measured.containsAll(sources());
        }

        /** This meter's value for one series: the sum of its sources. */
        long valueOf(ContainerSeries series) {
            long value = 0;
            for (DentryCounter source : sources()) {
                value += series.count(source);
            }
            return value;
        }
    }

    static final String NODE_DENTRY_COUNT = "node.dentry.count";
    static final String NODE_DENTRY_COUNT_HELP = "Dentries in the node's dentry cache, from /proc/sys/fs/dentry-state:"
            + " total is every allocated dentry, unused those no one references (on the LRU, reclaimable), negative the"
            + " cached lookup misses. Reclaiming tens of millions at once can stall the node.";

    /** A counter, for the reclaim feed a later issue adds; not registered yet. */
    static final String NODE_DENTRY_RECLAIM = "node.dentry.reclaim";
    static final String NODE_DENTRY_RECLAIM_HELP =
            "Runs of the kernel's superblock shrinker over the dentry cache (super_cache_scan) on this node.";

    /** A counter tagged node, namespace, pod, container, for the OOM watcher feed a later issue adds. */
    static final String OOM_KILLS = "oom.kills";
    static final String OOM_KILLS_HELP =
            "OOM kills of processes in this container, as the kernel's oom:mark_victim tracepoint reports them.";
    /** A counter tagged node, for the OOM watcher feed a later issue adds. */
    static final String OOM_KILLS_PER_NODE = "oom.kills.per.node";
    static final String OOM_KILLS_PER_NODE_HELP = "OOM kills on this node, of any process.";
    /**
     * A gauge with base unit {@code bytes}, tagged node, namespace, pod, container and {@code memory.type}
     * (Prometheus: {@code memory_type}), for the OOM watcher feed a later issue adds.
     */
    static final String OOM_MEMORY_USAGE = "oom.memory.usage";
    static final String OOM_MEMORY_USAGE_HELP = "Memory of the last OOM-killed process of this container at kill"
            + " time, by memory_type: anon_rss, file_rss, shmem_rss, total_vm, pgtables.";
    static final String MEMORY_TYPE = "memory.type";
    /** A gauge without base unit, tagged node, namespace, pod, container, for the OOM watcher feed a later issue adds. */
    static final String OOM_LAST_TIMESTAMP = "oom.last.timestamp";
    static final String OOM_LAST_TIMESTAMP_HELP = "Unix time in seconds of the last OOM kill in this container.";

    static final String MONITOR_INFO = "dentry.monitor.info";
    static final String MONITOR_INFO_HELP = "Always 1. How the monitor runs: mode is the probe attach mode (fentry,"
            + " kprobe, tracepoint, or none for node-wide numbers only), kernel the kernel release, cgroup_mode v2,"
            + " hybrid or v1, version the dentrywatch version.";

    static final String MONITOR_DEGRADED = "dentry.monitor.degraded.info";
    static final String MONITOR_DEGRADED_HELP = "Always 1, one series per thing the monitor cannot measure on this"
            + " node, with the reason; absent when everything the attach mode offers is live.";

    static final String FAMILY_AVAILABLE = "dentry.monitor.family.available";
    static final String FAMILY_AVAILABLE_HELP = "1 if this node measures the per-container family, 0 if not: a"
            + " family at 0 is absent from the scrape rather than zero, and dentry_monitor_info and"
            + " dentry_monitor_degraded_info say why.";

    static final String TRACKED_CGROUPS = "dentry.monitor.tracked.cgroups";
    static final String TRACKED_CGROUPS_HELP =
            "Cgroups in the last kernel reading: those the probes have counted dentries for.";

    static final String CONTAINERS = "dentry.monitor.containers";
    static final String CONTAINERS_HELP = "Containers exported, live or within the deletion grace period, by series:"
            + " own for those with their own series, other for those summed into container _other because the series"
            + " cap was reached.";

    static final String MAP_FULL_DROPS = "dentry.monitor.map.full.drops";
    static final String MAP_FULL_DROPS_HELP = "Dentry events the kernel could not count because the per-cgroup BPF"
            + " map was full; above zero, per-container numbers undercount.";

    /** A time gauge in seconds. */
    static final String SAMPLE_DURATION = "dentry.monitor.sample.duration";
    static final String SAMPLE_DURATION_HELP =
            "Seconds the last kernel reading took (BPF maps and /proc/sys/fs/dentry-state).";

    /** A gauge with base unit {@code seconds}. */
    static final String SAMPLE_TIMESTAMP = "dentry.monitor.sample.timestamp";
    static final String SAMPLE_TIMESTAMP_HELP = "Unix time in seconds of the kernel reading the exported values come"
            + " from; scrapes closer together than the minimum read interval share one reading.";

    static final String READS = "dentry.monitor.reads";
    static final String READS_HELP = "Kernel readings taken to answer scrapes.";

    static final String READ_ERRORS = "dentry.monitor.read.errors";
    static final String READ_ERRORS_HELP =
            "Kernel readings that failed; meanwhile the values of the last good reading are exported.";

    private MeterNames() {
    }
}
