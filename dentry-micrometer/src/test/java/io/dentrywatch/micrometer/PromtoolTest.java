package io.dentrywatch.micrometer;

import io.dentrywatch.prometheus.GoldenSample;
import io.dentrywatch.prometheus.Promtool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code promtool check metrics} accepts what Micrometer's Prometheus registry renders of the binder. */
class PromtoolTest {

    @ParameterizedTest
    @EnumSource(GoldenSample.class)
    void acceptsTheGoldenSamplesThroughMicrometer(GoldenSample golden) throws Exception {
        Promtool.assertAccepts(PrometheusEquivalenceTest.boundRegistry(golden).scrape());
    }
}
