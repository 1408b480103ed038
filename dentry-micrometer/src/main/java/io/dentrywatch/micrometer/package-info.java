/**
 * dentrywatch for Micrometer: {@link io.dentrywatch.micrometer.DentryMetrics}, a {@code MeterBinder}
 * whose meters read the kernel when a registry reads them, and {@link io.dentrywatch.micrometer.OomMetrics},
 * its twin over the OOM watcher's kills.
 */
package io.dentrywatch.micrometer;
