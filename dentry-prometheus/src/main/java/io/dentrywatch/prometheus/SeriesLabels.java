package io.dentrywatch.prometheus;

import io.dentrywatch.core.ContainerIdentity;

import java.util.Comparator;

/**
 * The label values a container series is exported under. Cgroups whose identities share them are
 * summed into one series (a container's cgroups in several hierarchies, a restarted container).
 */
record SeriesLabels(String namespace, String pod, String container) implements Comparable<SeriesLabels> {

    /** The series that sums every container past the series cap. */
    static final SeriesLabels OTHER = new SeriesLabels("", "", "_other");

    private static final Comparator<SeriesLabels> ORDER = Comparator.comparing(SeriesLabels::namespace)
            .thenComparing(SeriesLabels::pod)
            .thenComparing(SeriesLabels::container);

    static SeriesLabels of(ContainerIdentity identity) {
        return new SeriesLabels(identity.namespace(), identity.pod(), identity.container());
    }

    @Override
    public int compareTo(SeriesLabels other) {
        return ORDER.compare(this, other);
    }
}
