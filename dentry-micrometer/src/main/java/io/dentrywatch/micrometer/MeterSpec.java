package io.dentrywatch.micrometer;

import io.dentrywatch.core.export.MetricFamily;
import io.micrometer.core.instrument.Tags;

import java.util.List;

/**
 * Everything that identifies a meter and how to register it; equal specs are the same meter.
 *
 * @param kind     how the meter is registered
 * @param name     the dotted meter name
 * @param tags     its tags
 * @param help     its description
 * @param baseUnit a gauge's base unit, or {@code null}
 */
record MeterSpec(Kind kind, String name, Tags tags, String help, String baseUnit) {

    /** How a meter is registered. */
    enum Kind { COUNTER, GAUGE, SECONDS, TIMER }

    /**
     * The meter of one series of a family: the family's tag names, in the catalogue's order, with
     * these values. A duration in seconds is a {@code TimeGauge}; other gauges keep their base unit.
     */
    static MeterSpec of(MetricFamily family, List<String> tagValues) {
        List<String> labelNames = family.labelNames();
        String[] tags = new String[2 * labelNames.size()];
        for (int i = 0; i < labelNames.size(); i++) {
            tags[2 * i] = MeterNames.tag(labelNames.get(i));
            tags[2 * i + 1] = tagValues.get(i);
        }
        Kind kind = switch (family.type()) {
            case COUNTER -> Kind.COUNTER;
            case GAUGE, INFO -> family == MetricFamily.SAMPLE_DURATION ? Kind.SECONDS : Kind.GAUGE;
            case HISTOGRAM -> Kind.TIMER;
        };
        String baseUnit = kind == Kind.GAUGE && !family.unit().isEmpty() ? family.unit() : null;
        return new MeterSpec(kind, MeterNames.name(family), Tags.of(tags), family.help(), baseUnit);
    }

    /** One cumulative bucket of a histogram family: a counter tagged with its upper bound, as Prometheus writes {@code le}. */
    static MeterSpec bucket(MetricFamily family, double upperBound) {
        String bound = upperBound == Double.POSITIVE_INFINITY ? "+Inf" : Double.toString(upperBound);
        return new MeterSpec(Kind.COUNTER, MeterNames.buckets(family), Tags.of(MeterNames.UPPER_BOUND, bound),
                MeterNames.bucketsHelp(family), null);
    }
}
