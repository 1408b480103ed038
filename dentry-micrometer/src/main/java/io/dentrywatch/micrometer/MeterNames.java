package io.dentrywatch.micrometer;

import io.dentrywatch.core.export.MetricFamily;

/**
 * Micrometer's names for the families of dentry-core's {@link MetricFamily} catalogue, derived so that
 * Micrometer's Prometheus registry renders them back as the catalogue's Prometheus names: dots for
 * underscores, without the suffixes the registry appends ({@code _total} for counters, the base unit).
 * For example {@code dentry_alloc_total} is the counter {@code dentry.alloc},
 * {@code dentry_monitor_sample_duration_seconds} the time gauge {@code dentry.monitor.sample.duration},
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
