package io.dentrywatch.micrometer;

/**
 * What a meter reports.
 *
 * @param value   the value; a timer's count
 * @param seconds a timer's total time; 0 for other meters
 */
record MeterValue(double value, double seconds) {

    /** The value of a meter other than a timer. */
    static MeterValue of(double value) {
        return new MeterValue(value, 0);
    }
}
