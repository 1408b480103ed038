package io.dentrywatch.core.export;

import java.util.List;
import java.util.Objects;

/**
 * What one scrape exports of the OOM watcher, as {@link OomSeriesBook#read()} returns it. Reads that
 * find nothing new get the same instance.
 *
 * @param node       the {@code node} label of every family
 * @param kills      every kill on the node ({@link MetricFamily#OOM_KILLS_PER_NODE}); never decreases
 * @param lostEvents kills that never reached the watcher ({@link MetricFamily#OOM_LOST_EVENTS}); never decreases
 * @param series     the containers with kills, sorted by labels, {@code _other} last once it has members
 * @param degraded   what the watcher cannot do on this node, one reason each ({@link MetricFamily#OOM_DEGRADED})
 */
public record OomReading(String node, long kills, long lostEvents, List<OomSeries> series, List<String> degraded) {

    /** Copies the lists. */
    public OomReading {
        Objects.requireNonNull(node, "node");
        series = List.copyOf(series);
        degraded = List.copyOf(degraded);
    }
}
