package io.dentrywatch.micrometer;

import org.junit.jupiter.api.Test;

/** {@code promtool check metrics} accepts what Micrometer's Prometheus registry renders of the binder. */
class PromtoolTest {

    @Test
    void acceptsTheGoldenSampleThroughMicrometer() throws Exception {
        Promtool.assertAccepts(PrometheusEquivalenceTest.boundRegistry().scrape());
    }
}
