package io.dentrywatch.core.export;

import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.oom.OomStats;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The builder of every OOM metric adapter ({@code OomCollector.builder}, {@code OomMetrics.builder}): the
 * options (the node label, how cgroups become containers, the series cap, how long a container's series
 * outlives its latest kill, what the watcher cannot do), their defaults and checks, and {@link #build()},
 * written once; an adapter gives only how it is made from its {@link FamilyReader}. Not thread-safe; build once.
 *
 * <p>Defaults: container identity from the cgroup path ({@link io.dentrywatch.cgroup.PathContainerResolver}),
 * 1000 container series, a retention of one day, nothing degraded. The node has no default.
 *
 * @param <A> the adapter it builds
 */
public final class OomAdapterBuilder<A> {

    /** How long a container's series stays after its latest kill unless set otherwise: a day. */
    public static final Duration DEFAULT_SERIES_RETENTION = Duration.ofDays(1);

    private final Supplier<OomStats> stats;
    private final Function<FamilyReader, A> adapter;
    private String node;
    private ContainerResolver containerResolver = ExportSettings.defaultContainerResolver();
    private int maxContainerSeries = ExportSettings.DEFAULT_MAX_CONTAINER_SERIES;
    private Duration seriesRetention = DEFAULT_SERIES_RETENTION;
    private List<String> degraded = List.of();
    private InstantSource clock = InstantSource.system();

    /**
     * Starts a builder over the watcher's counts.
     *
     * @param stats   called at every scrape (or meter read); typically {@code watcher::stats}, a cheap snapshot
     * @param adapter makes the adapter over the families it exports; typically the adapter's constructor
     */
    public OomAdapterBuilder(Supplier<OomStats> stats, Function<FamilyReader, A> adapter) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.adapter = Objects.requireNonNull(adapter, "adapter");
    }

    /**
     * Sets the {@code node} label of every family: the node's name as Kubernetes knows it. Required.
     *
     * @param node for example the {@code NODE_NAME} the downward API sets
     * @return this builder
     */
    public OomAdapterBuilder<A> node(String node) {
        this.node = Objects.requireNonNull(node, "node");
        return this;
    }

    /**
     * Sets how a victim's cgroup becomes the namespace, pod and container labels; give the one the dentry
     * families use, so that both name a container alike.
     *
     * @param containerResolver thread-safe; called for a cgroup when a scrape first finds it and after each new kill
     * @return this builder
     */
    public OomAdapterBuilder<A> containerResolver(ContainerResolver containerResolver) {
        this.containerResolver = Objects.requireNonNull(containerResolver, "containerResolver");
        return this;
    }

    /**
     * Sets how many containers may have their own series; containers first seen beyond that are summed
     * into {@code container="_other"}.
     *
     * @param maxContainerSeries zero or more
     * @return this builder
     * @throws IllegalArgumentException if it is negative
     */
    public OomAdapterBuilder<A> maxContainerSeries(int maxContainerSeries) {
        this.maxContainerSeries = SeriesCap.checked(maxContainerSeries);
        return this;
    }

    /**
     * Sets how long a container's series stays after its latest kill; a new kill brings it back. Longer than
     * the alert windows over {@code oom_kills_total}.
     *
     * @param seriesRetention more than zero
     * @return this builder
     * @throws IllegalArgumentException if it is zero or negative
     */
    public OomAdapterBuilder<A> seriesRetention(Duration seriesRetention) {
        if (seriesRetention.isNegative() || seriesRetention.isZero()) {
            throw new IllegalArgumentException("seriesRetention must be positive: " + seriesRetention);
        }
        this.seriesRetention = seriesRetention;
        return this;
    }

    /**
     * Sets what the watcher cannot do on this node, exported as {@code oom_watcher_degraded_info}.
     *
     * @param reasons typically {@code watcher.degraded()}; one line each
     * @return this builder
     */
    public OomAdapterBuilder<A> degraded(List<String> reasons) {
        this.degraded = List.copyOf(reasons);
        return this;
    }

    /**
     * Replaces the clock the retention is measured by, the system clock unless set: a test's clock moves by
     * hand, so that nothing sleeps.
     *
     * @param clock the clock to use
     * @return this builder
     */
    public OomAdapterBuilder<A> clock(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Builds the adapter over a new book with the settings made so far; it reads nothing until a scrape or a
     * meter read first asks.
     *
     * @return the adapter: a collector to register, or a binder to bind
     * @throws IllegalStateException if no node was set
     */
    public A build() {
        return adapter.apply(FamilyReader.of(book()));
    }

    /** A new book with the settings made so far, what {@link #build()} exports. */
    OomSeriesBook book() {
        if (node == null) {
            throw new IllegalStateException("node is not set: every OOM family is labelled with the node's name"
                    + " (for example from NODE_NAME)");
        }
        return new OomSeriesBook(stats, node, containerResolver, maxContainerSeries, seriesRetention, degraded, clock);
    }
}
