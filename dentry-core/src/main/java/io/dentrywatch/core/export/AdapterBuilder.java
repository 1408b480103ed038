package io.dentrywatch.core.export;

import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.core.DentrySample;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The options every metric adapter's builder offers (how cgroups become containers, how often the
 * kernel is read, the series cap, the grace period), with their defaults and checks, and
 * {@link #build()}, written once: {@code DentryCollector.Builder} and {@code DentryMetrics.Builder}
 * extend it and add only how the adapter is made from its sampler. Not thread-safe; build once.
 *
 * <p>Defaults: container identity from the cgroup path ({@link io.dentrywatch.cgroup.PathContainerResolver}:
 * pod UID and container id for pod cgroups, the systemd unit or the path for the rest), a 1 s minimum
 * read interval, 1000 container series, 5 minutes of grace.
 *
 * @param <B> the adapter's builder, which every setter returns
 * @param <A> the adapter it builds
 */
public abstract class AdapterBuilder<B extends AdapterBuilder<B, A>, A> {

    private final Supplier<DentrySample> sampleSource;
    private final Function<ThrottledSampler, A> adapter;
    private ExportSettings settings = ExportSettings.defaults();

    /**
     * Starts a builder over a sample source.
     *
     * @param sampleSource called when a scrape or a meter read needs a reading, at most once per minimum
     *                     read interval; typically {@code sampler::sample}
     * @param adapter      makes the adapter over its sampler; typically the adapter's constructor
     */
    protected AdapterBuilder(Supplier<DentrySample> sampleSource, Function<ThrottledSampler, A> adapter) {
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
    public B containerResolver(ContainerResolver containerResolver) {
        settings = settings.withContainerResolver(containerResolver);
        return self();
    }

    /**
     * Sets the shortest time from the end of one kernel read to the start of the next; scrapes (or meter
     * reads) within it, and those that arrive while a read is under way, share that read.
     *
     * @param minReadInterval zero or more; zero reads every time
     * @return this builder
     * @throws IllegalArgumentException if it is negative
     */
    public B minReadInterval(Duration minReadInterval) {
        settings = settings.withMinReadInterval(minReadInterval);
        return self();
    }

    /**
     * Sets how many containers may have their own series; containers first seen beyond that are summed
     * into {@code container="_other"}, so each per-container family has at most this many series plus one.
     *
     * @param maxContainerSeries zero or more
     * @return this builder
     * @throws IllegalArgumentException if it is negative
     */
    public B maxContainerSeries(int maxContainerSeries) {
        settings = settings.withMaxContainerSeries(maxContainerSeries);
        return self();
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
    public B deletedSeriesGrace(Duration deletedSeriesGrace) {
        settings = settings.withDeletedSeriesGrace(deletedSeriesGrace);
        return self();
    }

    /**
     * Replaces the clock that paces reads and grace periods, for tests; an adapter's builder overrides
     * it to open it to its own package only.
     *
     * @param clock the clock to use
     * @return this builder
     */
    protected B clock(InstantSource clock) {
        settings = settings.withClock(clock);
        return self();
    }

    /**
     * Builds the adapter over a new sampler with the options set so far; it reads nothing until a scrape
     * or a meter read first asks.
     *
     * @return the adapter: a collector to register, or a binder to bind
     */
    public final A build() {
        return adapter.apply(new ThrottledSampler(sampleSource, settings));
    }

    /**
     * This builder as the adapter's type.
     *
     * @return {@code this}
     */
    protected abstract B self();
}
