package io.dentrywatch.core;

/** Opens a sampler in a child JVM (with fewer privileges or a missing library) and prints what it says. */
public final class SamplerProbeMain {

    private SamplerProbeMain() {
    }

    public static void main(String[] args) {
        try (DentrySampler sampler = DentrySampler.builder().build()) {
            DentrySample sample = sampler.sample();
            System.out.println("mode=" + sampler.mode());
            System.out.println("nodeTotal=" + sample.node().total());
            System.out.println("cgroups=" + sample.cgroups().size());
            sampler.info().degraded().forEach(d -> System.out.println("degraded=" + d));
        }
    }
}
