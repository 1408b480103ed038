package io.dentrywatch.core;

/**
 * The benchmarks' door to {@link DentrySampler}'s package-private map read (the benchmarks module puts
 * this class in dentry-core's package on the class path): {@link DentrySampler#readCounts()} is the
 * kernel map read alone, without path resolution, ledger or sample records.
 */
public final class SamplerAccess {

    private SamplerAccess() {
    }

    /** Reads the sampler's cgroup map into its table; returns the entries read. */
    public static int readCounts(DentrySampler sampler) {
        return sampler.readCounts();
    }
}
