package io.dentrywatch.micrometer;

import io.dentrywatch.core.export.MetricFamily;

/**
 * Micrometer's names for the families of dentry-core's {@link MetricFamily} catalogue, derived so that
 * Micrometer's Prometheus registry renders them back as the catalogue's Prometheus names: dots for
 * underscores, without the suffixes the registry appends ({@code _total} for counters, the base unit).
 * For example {@code dentry_alloc_total} is the counter {@code dentry.alloc},
 * {@code dentry_monitor_sample_duration_seconds} the time gauge {@code dentry.monitor.sample.duration},
 * {@code node_dentry_reclaim_duration_seconds} the function timer {@code node.dentry.reclaim.duration},
 * and the label {@code cgroup_mode} the tag {@code cgroup.mode}.
 */
final class MeterNames {

    /** The meter name of a family. */
    static String name(MetricFamily family) {
        String name = family.prometheusName();
        if (family.type() == MetricFamily.Type.COUNTER) {
            name = name.substring(0, name.length() - "_total".length());
        }
        if (!family.unit().isEmpty()) {
            name = name.substring(0, name.length() - family.unit().length() - 1);
        }
        return dotted(name);
    }

    /**
     * The tag of {@link #buckets(MetricFamily)}: a bucket's upper bound in the family's unit, {@code +Inf}
     * for the last. Not {@code le}: a Prometheus server reserves that label for histograms.
     */
    static final String UPPER_BOUND = "upper.bound";

    /**
     * The function counters that carry a histogram family's cumulative buckets, one per
     * {@link #UPPER_BOUND}: {@code node.dentry.reclaim.duration.buckets}.
     */
    static String buckets(MetricFamily family) {
        return name(family) + ".buckets";
    }

    /** The description of {@link #buckets(MetricFamily)}. */
    static String bucketsHelp(MetricFamily family) {
        return "The cumulative buckets of " + family.prometheusName() + ", which Micrometer exports with its count and"
                + " sum only: the runs shorter than upper_bound " + family.unit() + "; upper_bound +Inf is every run.";
    }

    /** The tag name of a Prometheus label name. */
    static String tag(String labelName) {
        return dotted(labelName);
    }

    private static String dotted(String name) {
        return name.replace('_', '.');
    }

    private MeterNames() {
    }
}
