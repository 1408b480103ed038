package io.dentrywatch.core.export;

import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.core.DentrySample;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The builder of every dentry metric adapter ({@code DentryCollector.builder}, {@code DentryMetrics.builder}):
 * the options (how cgroups become containers, how often the kernel is read, the series cap, the grace
 * period), their defaults and checks, and {@link #build()}, written once; an adapter gives only how it is
 * made from its {@link FamilyReader}. Not thread-safe; build once.
 *
 * <p>Defaults: container identity from the cgroup path ({@link io.dentrywatch.cgroup.PathContainerResolver}:
 * pod UID and container id for pod cgroups, the systemd unit or the path for the rest), a 1 s minimum
 * read interval, 1000 container series, 5 minutes of grace.
 *
 * @param <A> the adapter it builds
 */
public final class AdapterBuilder<A> {

    private final Supplier<DentrySample> sampleSource;
    private final Function<FamilyReader, A> adapter;
    private ExportSettings settings = ExportSettings.defaults();

    /**
     * Starts a builder over a sample source.
     *
     * @param sampleSource called when a scrape or a meter read needs a reading, at most once per minimum
     *                     read interval; typically {@code sampler::sample}
     * @param adapter      makes the adapter over the families it exports; typically the adapter's constructor
     */
    public AdapterBuilder(Supplier<DentrySample> sampleSource, Function<FamilyReader, A> adapter) {
        this.sampleSource = Objects.requireNonNull(sampleSource, "sampleSource");
        this.adapter = Objects.requireNonNull(adapter, "adapter");
    }

    /**
     * Sets how a cgroup becomes the namespace, pod and container labels (tags, in Micrometer). Cgroups
     * that resolve to the same labels are summed into one series. The default reads the cgroup path only
     * ({@link io.dentrywatch.cgroup.PathContainerResolver}); dentry-k8s's resolver adds namespace, pod and
     * container names.
     *
     * @param containerResolver thread-safe and cheap: it is called for every cgroup of every read
     * @return this builder
     */
    public AdapterBuilder<A> containerResolver(ContainerResolver containerResolver) {
        settings = settings.withContainerResolver(containerResolver);
        return this;
    }

    /**
     * Sets the shortest time from the end of one kernel read to the start of the next; scrapes (or meter
     * reads) within it, and those that arrive while a read is under way, share that read.
     *
     * @param minReadInterval zero or more; zero reads every time
     * @return this builder
     * @throws IllegalArgumentException if it is negative
     */
    public AdapterBuilder<A> minReadInterval(Duration minReadInterval) {
        settings = settings.withMinReadInterval(minReadInterval);
        return this;
    }

    /**
     * Sets how many containers may have their own series; containers first seen beyond that are summed
     * into {@code container="_other"}, so each per-container family has at most this many series plus one.
     *
     * @param maxContainerSeries zero or more
     * @return this builder
     * @throws IllegalArgumentException if it is negative
     */
    public AdapterBuilder<A> maxContainerSeries(int maxContainerSeries) {
        settings = settings.withMaxContainerSeries(maxContainerSeries);
        return this;
    }

    /**
     * Sets how long a container that no longer appears in the samples stays exported with its last
     * values; longer than the scrape or publish interval, so that its last increase is seen. The sampler
     * keeps a removed cgroup in its samples for its own grace period first; this one starts when it
     * drops the cgroup.
     *
     * @param deletedSeriesGrace zero or more
     * @return this builder
     * @throws IllegalArgumentException if it is negative
     */
    public AdapterBuilder<A> deletedSeriesGrace(Duration deletedSeriesGrace) {
        settings = settings.withDeletedSeriesGrace(deletedSeriesGrace);
        return this;
    }

    /**
     * Replaces the clock that paces reads and grace periods, the system clock unless set: a test's clock
     * moves by hand, so that nothing sleeps.
     *
     * @param clock the clock to use
     * @return this builder
     */
    public AdapterBuilder<A> clock(InstantSource clock) {
        settings = settings.withClock(clock);
        return this;
    }

    /**
     * Builds the adapter over a new sampler with the options set so far; it reads nothing until a scrape
     * or a meter read first asks.
     *
     * @return the adapter: a collector to register, or a binder to bind
     */
    public A build() {
        return adapter.apply(FamilyReader.of(sampler()));
    }

    /** A new sampler with the options set so far, what {@link #build()} exports. */
    ThrottledSampler sampler() {
        return new ThrottledSampler(sampleSource, settings);
    }
}
