package io.dentrywatch.core.export;

import io.dentrywatch.cgroup.ContainerIdentity;

import java.util.Comparator;

/**
 * The label values a container series is exported under ({@code namespace}, {@code pod},
 * {@code container}). Cgroups whose identities share them are summed into one series (a container's
 * cgroups in several hierarchies, a restarted container).
 *
 * @param namespace the pod's namespace, {@code ""} outside pods
 * @param pod       the pod's name, {@code ""} outside pods
 * @param container the container's name, a systemd unit or a cgroup path
 */
public record SeriesLabels(String namespace, String pod, String container) implements Comparable<SeriesLabels> {

    /** The series that sums every container past the series cap: {@code namespace="", pod="", container="_other"}. */
    public static final SeriesLabels OTHER = new SeriesLabels("", "", "_other");

    private static final Comparator<SeriesLabels> ORDER = Comparator.comparing(SeriesLabels::namespace)
            .thenComparing(SeriesLabels::pod)
            .thenComparing(SeriesLabels::container);

    static SeriesLabels of(ContainerIdentity identity) {
        return new SeriesLabels(identity.namespace(), identity.pod(), identity.container());
    }

    /** Orders by namespace, then pod, then container: the order series are listed in. */
    @Override
    public int compareTo(SeriesLabels other) {
        return ORDER.compare(this, other);
    }
}
