package io.dentrywatch.core;

import io.dentrywatch.oom.OomWatcher;

/** Opens a sampler in a child JVM (with fewer privileges or a missing library) and prints what it says. */
public final class SamplerProbeMain {

    private SamplerProbeMain() {
    }

    public static void main(String[] args) {
        AttachMode mode = AttachMode.valueOf(System.getProperty(KernelTestSupport.MODE_PROPERTY, "AUTO"));
        try (DentrySampler sampler = DentrySampler.builder().attachMode(mode).build()) {
            DentrySample sample = sampler.sample();
            System.out.println("mode=" + sampler.mode());
            System.out.println("nodeTotal=" + sample.node().total());
            System.out.println("cgroups=" + sample.cgroups().size());
            sampler.info().degraded().forEach(d -> System.out.println("degraded=" + d));
        }
        try (OomWatcher oom = OomWatcher.builder().build()) {
            System.out.println("oomWatching=" + oom.degraded().isEmpty());
            oom.degraded().forEach(d -> System.out.println("oomDegraded=" + d));
        } catch (io.dentrywatch.bpf.BpfException | IllegalStateException e) {
            System.out.println("oomWatching=false: " + e.getMessage());
        }
    }
}
