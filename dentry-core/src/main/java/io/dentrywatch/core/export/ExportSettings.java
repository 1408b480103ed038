package io.dentrywatch.core.export;

import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.cgroup.PathContainerResolver;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How a {@link ThrottledSampler} reads and keeps series: what an {@link AdapterBuilder} collects. Values
 * are checked here, once for every adapter.
 *
 * @param containerResolver  how a cgroup becomes the namespace, pod and container labels; thread-safe
 *                           and cheap, it is called for every cgroup of every read
 * @param clock              paces reads and grace periods
 * @param minReadInterval    the shortest time from the end of one read to the start of the next; zero
 *                           or more, zero reads at every call
 * @param maxContainerSeries how many containers may have their own series; zero or more
 * @param deletedSeriesGrace how long a container that no sample mentions keeps its series; zero or more
 */
record ExportSettings(
        ContainerResolver containerResolver,
        InstantSource clock,
        Duration minReadInterval,
        int maxContainerSeries,
        Duration deletedSeriesGrace) {

    /** The series cap every adapter starts from. */
    static final int DEFAULT_MAX_CONTAINER_SERIES = 1000;

    /**
     * Checks the settings.
     *
     * @throws NullPointerException     if a reference is {@code null}
     * @throws IllegalArgumentException if a duration or the series cap is negative
     */
    ExportSettings {
        Objects.requireNonNull(containerResolver, "containerResolver");
        Objects.requireNonNull(clock, "clock");
        if (minReadInterval.isNegative()) {
            throw new IllegalArgumentException("minReadInterval must not be negative: " + minReadInterval);
        }
        SeriesCap.checked(maxContainerSeries);
        if (deletedSeriesGrace.isNegative()) {
            throw new IllegalArgumentException("deletedSeriesGrace must not be negative: " + deletedSeriesGrace);
        }
    }

    /**
     * The defaults every adapter starts from.
     *
     * @return {@link #defaultContainerResolver()}, the system clock, a 1 s minimum read interval, 1000
     *         container series and 5 minutes of grace
     */
    static ExportSettings defaults() {
        return new ExportSettings(defaultContainerResolver(), InstantSource.system(), Duration.ofSeconds(1),
                DEFAULT_MAX_CONTAINER_SERIES, Duration.ofMinutes(5));
    }

    /**
     * The resolver used when an adapter's user sets none: the core's {@link PathContainerResolver}, which
     * reads the identity from the cgroup path alone. A pod's cgroup is labelled {@code pod=}<i>its UID</i>
     * and {@code container=}<i>the container id</i> (no Kubernetes API: {@code namespace} stays empty); a
     * cgroup outside any pod is named after its systemd unit or its path.
     *
     * @return a new resolver with its own cache, for one adapter
     */
    static ContainerResolver defaultContainerResolver() {
        return new PathContainerResolver();
    }

    /**
     * @param containerResolver see {@link #containerResolver()}
     * @return these settings with another resolver
     */
    ExportSettings withContainerResolver(ContainerResolver containerResolver) {
        return new ExportSettings(containerResolver, clock, minReadInterval, maxContainerSeries, deletedSeriesGrace);
    }

    /**
     * @param clock see {@link #clock()}
     * @return these settings with another clock
     */
    ExportSettings withClock(InstantSource clock) {
        return new ExportSettings(containerResolver, clock, minReadInterval, maxContainerSeries, deletedSeriesGrace);
    }

    /**
     * @param minReadInterval see {@link #minReadInterval()}
     * @return these settings with another minimum read interval
     * @throws IllegalArgumentException if it is negative
     */
    ExportSettings withMinReadInterval(Duration minReadInterval) {
        return new ExportSettings(containerResolver, clock, minReadInterval, maxContainerSeries, deletedSeriesGrace);
    }

    /**
     * @param maxContainerSeries see {@link #maxContainerSeries()}
     * @return these settings with another series cap
     * @throws IllegalArgumentException if it is negative
     */
    ExportSettings withMaxContainerSeries(int maxContainerSeries) {
        return new ExportSettings(containerResolver, clock, minReadInterval, maxContainerSeries, deletedSeriesGrace);
    }

    /**
     * @param deletedSeriesGrace see {@link #deletedSeriesGrace()}
     * @return these settings with another grace period
     * @throws IllegalArgumentException if it is negative
     */
    ExportSettings withDeletedSeriesGrace(Duration deletedSeriesGrace) {
        return new ExportSettings(containerResolver, clock, minReadInterval, maxContainerSeries, deletedSeriesGrace);
    }
}
