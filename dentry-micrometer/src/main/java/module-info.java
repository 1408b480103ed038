/**
 * The Micrometer adapter: {@link io.dentrywatch.micrometer.DentryMetrics} and
 * {@link io.dentrywatch.micrometer.OomMetrics}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.dentrywatch.micrometer {
    requires transitive io.dentrywatch.core;
    requires transitive micrometer.core;
    requires org.slf4j;

    exports io.dentrywatch.micrometer;
}
