/**
 * dentrywatch for Prometheus client_java 1.x: {@link io.dentrywatch.prometheus.DentryCollector}, a
 * {@code MultiCollector} that reads the kernel at scrape time and exposes the metric contract.
 */
package io.dentrywatch.prometheus;
