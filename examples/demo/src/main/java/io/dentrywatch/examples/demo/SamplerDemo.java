package io.dentrywatch.examples.demo;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupDentryCounts;
import io.dentrywatch.core.DentryCounter;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.DentrySampler;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * Prints the node's dentry cache and the cgroups allocating the most dentries every few seconds.
 * Usage: {@code java -jar dentrywatch-demo.jar [interval-seconds] [AUTO|FENTRY|KPROBE|TRACEPOINT|NONE]}.
 */
public final class SamplerDemo {

    private SamplerDemo() {
    }

    public static void main(String[] args) throws InterruptedException {
        long intervalMillis = 1000L * (args.length > 0 ? Long.parseLong(args[0]) : 5);
        AttachMode mode = args.length > 1 ? AttachMode.valueOf(args[1]) : AttachMode.AUTO;
        try (DentrySampler sampler = DentrySampler.builder().attachMode(mode).build()) {
            Runtime.getRuntime().addShutdownHook(new Thread(sampler::close));
            System.out.println("mode " + sampler.mode() + ", kernel " + sampler.info().kernel()
                    + ", cgroups " + sampler.info().cgroupMode() + " (counting by " + sampler.info().cgroupKey() + " cgroup)");
            sampler.info().degraded().forEach(d -> System.out.println("degraded: " + d));
            Map<Long, Long> previous = new HashMap<>();
            while (true) {
                DentrySample s = sampler.sample();
                System.out.printf("%s dentries total=%d unused=%d negative=%s  freed=%s cgroups=%d drops=%d read=%dus%n",
                        s.time(), s.node().total(), s.node().unused(),
                        s.node().negative().isPresent() ? Long.toString(s.node().negative().getAsLong()) : "unknown",
                        s.counters().contains(DentryCounter.FREED) ? Long.toString(s.freed()) : "unavailable",
                        s.cgroups().size(), s.mapFullDrops(), s.readTime().toNanos() / 1000);
                boolean lifecycle = s.counters().contains(DentryCounter.POSITIVE);
                s.cgroups().stream()
                        .sorted(Comparator.comparingLong((CgroupDentryCounts c) ->
                                c.allocations() - previous.getOrDefault(c.cgroupId(), 0L)).reversed())
                        .limit(10)
                        .forEach(c -> System.out.printf("  %10d allocs (+%d)%s  %s%n", c.allocations(),
                                c.allocations() - previous.getOrDefault(c.cgroupId(), 0L),
                                lifecycle ? String.format(" positive=%d negative=%d (lookup %d, unlink %d)", c.positive(),
                                        c.negative(), c.negativeLookup(), c.negativeUnlink()) : "",
                                c.path()));
                s.cgroups().forEach(c -> previous.put(c.cgroupId(), c.allocations()));
                Thread.sleep(intervalMillis);
            }
        }
    }
}
