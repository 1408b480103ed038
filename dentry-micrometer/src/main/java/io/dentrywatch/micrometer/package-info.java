/**
 * dentrywatch for Micrometer: {@link io.dentrywatch.micrometer.DentryMetrics}, a {@code MeterBinder}
 * whose meters read the kernel when a registry reads them.
 */
package io.dentrywatch.micrometer;
