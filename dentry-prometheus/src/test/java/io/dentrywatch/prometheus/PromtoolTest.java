package io.dentrywatch.prometheus;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code promtool check metrics} accepts what the collector exposes. */
class PromtoolTest {

    @Test
    void acceptsTheGoldenSampleWithEveryFamily() throws Exception {
        Promtool.assertAccepts(Exposition.text(GoldenExpositionTest.scrapeGoldenSample()));
    }

    @Test
    void acceptsNodeOnlyMode() throws Exception {
        DentrySample nodeOnly = new DentrySample(Samples.T0,
                new SamplerInfo(AttachMode.NONE, "6.18.0-fc", "hybrid", "0.1.0", List.of("no CAP_BPF: node-wide numbers only")),
                Set.of(), new NodeDentryState(10, 5, OptionalLong.empty()), List.of(), 0, Duration.ofMillis(1));
        DentryCollector collector = DentryCollector.builder(() -> nodeOnly).clock(new MutableClock(Samples.T0)).build();
        Promtool.assertAccepts(Exposition.text(collector.collect()));
    }

    @Test
    void theCheckFailsOnWhatPromtoolObjectsTo() {
        Promtool.require();
        String counterWithoutTotal = "# HELP dentries Dentries.\n# TYPE dentries counter\ndentries 1\n";

        assertThrows(AssertionFailedError.class, () -> Promtool.assertAccepts(counterWithoutTotal));
    }
}
