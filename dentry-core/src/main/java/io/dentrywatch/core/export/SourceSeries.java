package io.dentrywatch.core.export;

import io.dentrywatch.core.CgroupNegativeSources;
import io.dentrywatch.core.DirectorySource;
import io.dentrywatch.core.NegativeSources;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * One series of {@link MetricFamily#DENTRY_NEGATIVE_SOURCES}: a container's directory, or its
 * {@code _other}. The core caps them (top K per cgroup, a node cap); cgroups of one container are summed,
 * and the directories of containers summed into container {@code _other} are summed into
 * {@code container="_other", directory="_other"}.
 *
 * @param labels    the container
 * @param directory a directory label ({@link DirectorySource#directory()}) or {@value #OTHER}
 * @param value     negatives counted
 */
public record SourceSeries(SeriesLabels labels, String directory, long value) {

    /** The directory label of everything outside a container's top directories. */
    public static final String OTHER = "_other";

    /**
     * The series of one sample's negative sources, sorted by labels, then the most negatives first, each
     * container's {@code _other} last.
     *
     * @param exportedAs a cgroup's container labels, {@link SeriesLabels#OTHER} for one summed into
     *                   {@code _other}; empty for a cgroup not exported
     */
    static List<SourceSeries> of(NegativeSources sources, LongFunction<Optional<SeriesLabels>> exportedAs) {
        if (!sources.available()) {
            return List.of();
        }
        Map<SeriesLabels, Map<String, Long>> byContainer = new LinkedHashMap<>();
        for (CgroupNegativeSources cgroup : sources.cgroups()) {
            Optional<SeriesLabels> labels = exportedAs.apply(cgroup.cgroupId());
            if (labels.isEmpty()) {
                continue;
            }
            Map<String, Long> dirs = byContainer.computeIfAbsent(labels.get(), l -> new LinkedHashMap<>());
            boolean other = labels.get().equals(SeriesLabels.OTHER);
            for (DirectorySource d : cgroup.directories()) {
                dirs.merge(other ? OTHER : d.directory(), d.total(), Long::sum);
            }
            dirs.merge(OTHER, cgroup.other(), Long::sum);
        }
        List<SourceSeries> out = new ArrayList<>();
        byContainer.keySet().stream().sorted().forEach(labels -> {
            Map<String, Long> dirs = byContainer.get(labels);
            dirs.entrySet().stream().filter(e -> !e.getKey().equals(OTHER))
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> out.add(new SourceSeries(labels, e.getKey(), e.getValue())));
            out.add(new SourceSeries(labels, OTHER, dirs.getOrDefault(OTHER, 0L)));
        });
        return List.copyOf(out);
    }
}
