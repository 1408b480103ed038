package io.dentrywatch.core.export;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One family of the catalogue as one reading exports it, in no metrics library's terms: what an adapter
 * maps to its own types, by {@link MetricFamily#type() the family's type}. {@link FamilyReader#read()}
 * lists the families a reading calls for; a family it does not list is absent (not zero).
 *
 * <ul>
 *   <li>{@link MetricFamily.Type#COUNTER} and {@link MetricFamily.Type#GAUGE}: one series a point.</li>
 *   <li>{@link MetricFamily.Type#INFO}: one series a point, valued 1; the label values carry the information.</li>
 *   <li>{@link MetricFamily.Type#HISTOGRAM}: no points; {@link #histogram()} is the one series, without labels.</li>
 * </ul>
 *
 * @param family    the family: name, type, unit, label names and HELP
 * @param points    its series, in the order to export them; may be empty (a per-container family measured
 *                  before any container has been seen); empty for a histogram
 * @param histogram the series of a histogram family; empty for every other type
 */
public record FamilyReading(MetricFamily family, List<Point> points, Optional<ReclaimDurationHistogram> histogram) {

    /**
     * Copies {@code points} and checks that a histogram is given exactly for a histogram family.
     *
     * @throws IllegalArgumentException if the histogram and the family's type disagree
     */
    public FamilyReading {
        Objects.requireNonNull(family, "family");
        points = List.copyOf(points);
        if (histogram.isPresent() != (family.type() == MetricFamily.Type.HISTOGRAM)
                || histogram.isPresent() && !points.isEmpty()) {
            throw new IllegalArgumentException(family + " is a " + family.type() + ": histogram " + histogram.isPresent()
                    + ", " + points.size() + " points");
        }
    }

    /** A counter, gauge or info family. */
    FamilyReading(MetricFamily family, List<Point> points) {
        this(family, points, Optional.empty());
    }

    /** A histogram family. */
    FamilyReading(MetricFamily family, ReclaimDurationHistogram histogram) {
        this(family, List.of(), Optional.of(histogram));
    }

    /**
     * One series of a family.
     *
     * @param labelValues one per {@link MetricFamily#labelNames() label name}, in that order; empty for a
     *                    family without labels
     * @param value       the value; 1 for an info family
     */
    public record Point(List<String> labelValues, double value) {

        /** Copies {@code labelValues}. */
        public Point {
            labelValues = List.copyOf(labelValues);
        }
    }
}
