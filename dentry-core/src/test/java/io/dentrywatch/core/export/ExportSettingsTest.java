package io.dentrywatch.core.export;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupKey;
import io.dentrywatch.core.ContainerIdentity;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.NodeDentryState;
import io.dentrywatch.core.SamplerInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings every adapter shares, and which families a sample measures. */
class ExportSettingsTest {

    @Test
    void defaultsAreOneSecondAThousandSeriesAndFiveMinutes() {
        ExportSettings defaults = ExportSettings.defaults();

        assertEquals(Duration.ofSeconds(1), defaults.minReadInterval());
        assertEquals(1000, defaults.maxContainerSeries());
        assertEquals(Duration.ofMinutes(5), defaults.deletedSeriesGrace());
        assertEquals(InstantSource.system(), defaults.clock());
        assertEquals(ContainerIdentity.nonPod("/system.slice/mariadb.service"),
                defaults.containerResolver().resolve(42, "/system.slice/mariadb.service"));
    }

    @Test
    void negativeSettingsAreRejected() {
        ExportSettings defaults = ExportSettings.defaults();

        assertThrows(IllegalArgumentException.class, () -> defaults.withMaxContainerSeries(-1));
        assertThrows(IllegalArgumentException.class, () -> defaults.withMinReadInterval(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> defaults.withDeletedSeriesGrace(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> defaults.withContainerResolver(null));
        assertEquals(0, defaults.withMaxContainerSeries(0).maxContainerSeries());
    }

    @Test
    void aFamilyIsMeasuredOnlyWhenEveryOneOfItsSourcesIs() {
        DentrySample tracepoint = measuring(EnumSet.of(DentryCounter.ALLOC, DentryCounter.FREED));
        DentrySample lookupOnly = measuring(EnumSet.of(DentryCounter.ALLOC, DentryCounter.NEGATIVE_LOOKUP));
        DentrySample fentry = measuring(EnumSet.allOf(DentryCounter.class));

        assertTrue(ContainerFamily.ALLOC.measuredIn(tracepoint));
        assertFalse(ContainerFamily.POSITIVE.measuredIn(tracepoint));
        assertFalse(ContainerFamily.NEGATIVE.measuredIn(tracepoint));
        assertTrue(ContainerFamily.NEGATIVE_LOOKUP.measuredIn(lookupOnly));
        assertFalse(ContainerFamily.NEGATIVE.measuredIn(lookupOnly), "a partial sum would undercount");
        for (ContainerFamily family : ContainerFamily.values()) {
            assertTrue(family.measuredIn(fentry), family.name());
        }
        assertFalse(ContainerFamily.ALLOC.measuredIn(measuring(Set.of())), "node-only mode");
    }

    private static DentrySample measuring(Set<DentryCounter> counters) {
        return new DentrySample(Feed.T0, new SamplerInfo(AttachMode.FENTRY, "6.18.0", "v2", CgroupKey.V2, "0.1.0",
                List.of()), counters, new NodeDentryState(1, 1, OptionalLong.empty()), List.of(), 0, 0, Duration.ZERO);
    }
}
