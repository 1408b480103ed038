package io.dentrywatch.prometheus;

import io.dentrywatch.core.DentrySample;

import java.util.function.Supplier;

/**
 * The samples whose exposition is checked byte for byte against files in {@code golden/}; dentry-micrometer's
 * tests render the same ones.
 */
public enum GoldenSample {
    /** Every counter: positive, negative and its split, node frees, reclaim with its duration histogram and the dcache calls. */
    FENTRY("fentry", Samples::golden),
    /** Allocations, node frees and reclaim; positive, negative and the dcache calls are absent. */
    TRACEPOINT("tracepoint", Samples::goldenTracepoint);

    private final String file;
    private final Supplier<DentrySample> sample;

    GoldenSample(String file, Supplier<DentrySample> sample) {
        this.file = file;
        this.sample = sample;
    }

    /**
     * The sample itself.
     *
     * @return the same sample at every call
     */
    public DentrySample sample() {
        return sample.get();
    }

    /**
     * The collector the golden files show: {@link Samples#resolver()} and a cap of 3, so that the login
     * session (the smallest container) lands in {@code _other}.
     *
     * @return a new collector over this sample
     */
    public DentryCollector collector() {
        return DentryCollector.builder(this::sample)
                .containerResolver(Samples.resolver())
                .maxContainerSeries(3)
                .clock(new MutableClock(Samples.T0))
                .build();
    }

    /** The golden file's resource name, for one format's {@code suffix}. */
    String resource(String suffix) {
        return "golden/" + file + suffix;
    }
}
