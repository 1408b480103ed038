package io.dentrywatch.prometheus;

import io.dentrywatch.core.export.MetricFamily;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The client_java descriptors of the families in dentry-core's {@link MetricFamily} catalogue (the
 * metric contract in the repository README's "Metrics" section plus the monitor's own families): name, type, unit, HELP and label names.
 */
final class Families {

    private static final Map<MetricFamily, MetricFamilyDescriptor> DESCRIPTORS = Arrays.stream(MetricFamily.values())
            .collect(Collectors.toUnmodifiableMap(Function.identity(), Families::build));

    /** Every family {@link DentryCollector} can emit: what it declares at registration. */
    static final List<MetricFamilyDescriptor> SAMPLER = descriptors(MetricFamily.samplerFamilies());

    /** Every family {@link OomCollector} can emit: what it declares at registration. */
    static final List<MetricFamilyDescriptor> OOM = descriptors(MetricFamily.oomWatcherFamilies());

    /** The descriptor of one family of the catalogue. */
    static MetricFamilyDescriptor descriptor(MetricFamily family) {
        return DESCRIPTORS.get(family);
    }

    private static List<MetricFamilyDescriptor> descriptors(List<MetricFamily> families) {
        return families.stream().map(Families::descriptor).toList();
    }

    private static MetricFamilyDescriptor build(MetricFamily family) {
        MetricFamilyDescriptor.Builder<?> builder = MetricFamilyDescriptor.of(typeOf(family), family.prometheusName())
                .help(family.help())
                .labelNames(family.labelNames());
        if (!family.unit().isEmpty()) {
            builder.unit(new Unit(family.unit()));
        }
        return builder.build();
    }

    private static MetricType typeOf(MetricFamily family) {
        return switch (family.type()) {
            case COUNTER -> MetricType.COUNTER;
            case GAUGE -> MetricType.GAUGE;
            case INFO -> MetricType.INFO;
            case HISTOGRAM -> MetricType.HISTOGRAM;
        };
    }

    private Families() {
    }
}
