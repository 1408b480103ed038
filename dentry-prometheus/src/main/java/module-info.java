/**
 * The Prometheus client_java 1.x adapter: {@link io.dentrywatch.prometheus.DentryCollector} and
 * {@link io.dentrywatch.prometheus.OomCollector}.
 */
@SuppressWarnings("requires-transitive-automatic")
module io.dentrywatch.prometheus {
    requires transitive io.dentrywatch.core;
    requires transitive io.prometheus.metrics.model;
    requires org.slf4j;

    exports io.dentrywatch.prometheus;
}
