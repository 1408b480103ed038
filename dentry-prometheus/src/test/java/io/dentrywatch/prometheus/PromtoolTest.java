package io.dentrywatch.prometheus;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opentest4j.AssertionFailedError;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code promtool check metrics} accepts what the collector exposes. */
class PromtoolTest {

    @ParameterizedTest
    @EnumSource(GoldenSample.class)
    void acceptsTheGoldenSamples(GoldenSample golden) throws Exception {
        Promtool.assertAccepts(Exposition.text(GoldenExpositionTest.scrape(golden)));
    }

    @Test
    void acceptsNodeOnlyMode() throws Exception {
        DentryCollector collector = DentryCollector.builder(() -> Samples.nodeOnly(List.of("no CAP_BPF: node-wide numbers only")))
                .clock(new MutableClock(Samples.T0))
                .build();
        Promtool.assertAccepts(Exposition.text(collector.collect()));
    }

    @Test
    void acceptsTheOomFamiliesAloneAndBesideTheDentryFamilies() throws Exception {
        PrometheusRegistry both = new PrometheusRegistry();
        both.register(GoldenSample.TRACEPOINT.collector());
        both.register(OomSamples.collector());

        Promtool.assertAccepts(Exposition.text(GoldenExpositionTest.scrapeOom()));
        Promtool.assertAccepts(Exposition.text(both.scrape()));
    }

    @Test
    void theCheckFailsOnWhatPromtoolObjectsTo() {
        Promtool.require();
        String counterWithoutTotal = "# HELP dentries Dentries.\n# TYPE dentries counter\ndentries 1\n";

        assertThrows(AssertionFailedError.class, () -> Promtool.assertAccepts(counterWithoutTotal));
    }
}
