package com.example.consumer;

import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.DentrySampler;
import io.dentrywatch.prometheus.DentryCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Opens a {@link DentrySampler}, makes a known number of dentries (lookups of names that do not exist),
 * samples before and after, scrapes the same sampler through the Prometheus adapter and prints
 * {@code key=value} lines that scripts/consumer-test.sh checks. The same file is in modular/ and classpath/.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws IOException, URISyntaxException {
        int lookups = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        // which module each side is in and which jar dentry-core came from: proves module path vs class path
        System.out.println("app.module=" + moduleName(Main.class.getModule()));
        System.out.println("core.module=" + moduleName(DentrySampler.class.getModule()));
        System.out.println("core.jar=" + Path.of(DentrySampler.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        try (DentrySampler sampler = DentrySampler.builder().build()) {
            System.out.println("mode=" + sampler.mode());
            sampler.info().degraded().forEach(d -> System.out.println("degraded=" + d));
            DentrySample before = sampler.sample();
            missLookups(lookups);
            DentrySample after = sampler.sample();
            System.out.println("counters=" + after.counters());
            System.out.println("node.total=" + after.node().total());
            System.out.println("lookups=" + lookups);
            System.out.println("allocations=" + allocationsBetween(before, after));

            double scraped = -1;
            for (MetricSnapshot snapshot : DentryCollector.builder(sampler::sample).build().collect()) {
                if (snapshot instanceof GaugeSnapshot gauge && gauge.getMetadata().getName().equals("node_dentry_count")) {
                    for (var point : gauge.getDataPoints()) {
                        if ("total".equals(point.getLabels().get("type"))) {
                            scraped = point.getValue();
                        }
                    }
                }
            }
            System.out.println("scrape.node_dentry_count.total=" + (long) scraped);
        }
    }

    private static String moduleName(Module module) {
        return module.isNamed() ? module.getName() : "unnamed";
    }

    /** Each lookup of a new name that does not exist allocates a dentry (then cached negative, or dropped). */
    private static void missLookups(int count) throws IOException {
        Path dir = Files.createTempDirectory("dentrywatch-consumer");
        try {
            for (int i = 0; i < count; i++) {
                if (Files.exists(dir.resolve("missing-" + i))) {
                    throw new IllegalStateException(dir.resolve("missing-" + i) + " exists");
                }
            }
        } finally {
            Files.delete(dir);
        }
    }

    /** Dentries allocated between two samples, summed over every cgroup (cumulative counts: after minus before). */
    private static long allocationsBetween(DentrySample before, DentrySample after) {
        Map<Long, Long> earlier = new HashMap<>();
        before.cgroups().forEach(c -> earlier.put(c.cgroupId(), c.allocations()));
        long sum = 0;
        for (var c : after.cgroups()) {
            sum += c.allocations() - earlier.getOrDefault(c.cgroupId(), 0L);
        }
        return sum;
    }
}
