package io.dentrywatch.core.export;

import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.cgroup.PathContainerResolver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.dentrywatch.core.export.Feed.allocs;
import static io.dentrywatch.core.export.Feed.nonPod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What an adapter's builder inherits: the defaults, options that reach the sampler, and bad ones refused at once. */
class AdapterBuilderTest {

    /** The smallest adapter: the reader itself. */
    private static AdapterBuilder<FamilyReader> builder(Supplier<DentrySample> source) {
        return new AdapterBuilder<>(source, reader -> reader);
    }

    @Test
    void theOptionsReachTheSampler() {
        MutableClock clock = new MutableClock(Feed.T0);
        AtomicInteger reads = new AtomicInteger();
        ThrottledSampler sampler = builder(() -> {
            reads.incrementAndGet();
            return allocs(10, 100, 7);
        })
                .containerResolver((id, path) -> Feed.byPath(id, path.toUpperCase(Locale.ROOT)))
                .minReadInterval(Duration.ofSeconds(30))
                .maxContainerSeries(1)
                .deletedSeriesGrace(Duration.ZERO)
                .clock(clock)
                .sampler();

        assertEquals(Map.of(nonPod("/C1"), 100L, SeriesLabels.OTHER, 17L), Feed.alloc(sampler.read()));
        clock.advance(Duration.ofSeconds(29));
        sampler.read();
        assertEquals(1, reads.get());
    }

    @Test
    void defaultsAreIdentityFromThePathOneSecondAThousandSeriesAndFiveMinutes() {
        ExportSettings defaults = ExportSettings.defaults();

        assertInstanceOf(PathContainerResolver.class, defaults.containerResolver());
        assertEquals(ContainerIdentity.nonPod("mariadb.service"),
                defaults.containerResolver().resolve(42, "/system.slice/mariadb.service"));
        ContainerIdentity pod = defaults.containerResolver().resolve(43, "/kubepods.slice/kubepods-burstable.slice/"
                + "kubepods-burstable-pod6f1c2d3e_0000_4000_8000_000000000001.slice/cri-containerd-" + "a".repeat(64) + ".scope");
        assertEquals(new SeriesLabels("", "6f1c2d3e-0000-4000-8000-000000000001", "a".repeat(64)), SeriesLabels.of(pod));
        assertEquals(InstantSource.system(), defaults.clock());
        assertEquals(Duration.ofSeconds(1), defaults.minReadInterval());
        assertEquals(1000, defaults.maxContainerSeries());
        assertEquals(Duration.ofMinutes(5), defaults.deletedSeriesGrace());
    }

    @Test
    void badOptionsAreRefusedWhenSet() {
        AdapterBuilder<FamilyReader> builder = builder(() -> allocs(1));

        assertThrows(IllegalArgumentException.class, () -> builder.maxContainerSeries(-1));
        assertThrows(IllegalArgumentException.class, () -> builder.minReadInterval(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> builder.deletedSeriesGrace(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> builder.containerResolver(null));
        assertThrows(NullPointerException.class, () -> builder(null));
        assertEquals(0, ExportSettings.defaults().withMaxContainerSeries(0).maxContainerSeries());
    }
}
