package io.dentrywatch.prometheus;

import io.dentrywatch.core.export.MetricFamily;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The client_java descriptors of the families in dentry-core's {@link MetricFamily} catalogue (the
 * metric contract in DESIGN.md plus the monitor's own families): name, type, unit, HELP and label names.
 */
final class Families {

    /**
     * Declared in the catalogue for a feed that a later issue adds (the OOM watcher): not emitted yet, so
     * not declared at registration either.
     */
    static final Set<MetricFamily> NOT_FED_YET = Set.copyOf(EnumSet.of(MetricFamily.OOM_KILLS,
            MetricFamily.OOM_KILLS_PER_NODE, MetricFamily.OOM_MEMORY_USAGE, MetricFamily.OOM_LAST_TIMESTAMP));

    private static final Map<MetricFamily, MetricFamilyDescriptor> DESCRIPTORS = Arrays.stream(MetricFamily.values())
            .collect(Collectors.toUnmodifiableMap(Function.identity(), Families::build));

    /** Every family the collector can emit today: what it declares at registration. */
    static final List<MetricFamilyDescriptor> EMITTED = Arrays.stream(MetricFamily.values())
            .filter(family -> !NOT_FED_YET.contains(family))
            .map(Families::descriptor)
            .toList();

    /** The descriptor of one family of the catalogue. */
    static MetricFamilyDescriptor descriptor(MetricFamily family) {
        return DESCRIPTORS.get(family);
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
