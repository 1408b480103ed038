/**
 * dentrywatch for Prometheus client_java 1.x: {@link io.dentrywatch.prometheus.DentryCollector}, a
 * {@code MultiCollector} that reads the kernel at scrape time and exposes the metric contract, and
 * {@link io.dentrywatch.prometheus.OomCollector}, its twin over the OOM watcher's kills.
 */
package io.dentrywatch.prometheus;
