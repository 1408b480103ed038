package io.dentrywatch.exporter;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up order, end to end: the exporter jar as a process, polled on {@code /metrics} from its first
 * instant; a memcg OOM kill made the moment {@code /metrics} first answers 200 is counted in
 * {@code oom_kills_total}. Before the fix {@code /metrics} answered 200 as soon as the server listened, before
 * the OOM watcher's probes were attached, and such a kill was lost.
 */
@Tag("kernel")
class ExporterStartupIT {

    private static final long OOM_LIMIT = 16L << 20;
    private static final int SIGKILL_EXIT = 128 + 9;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration COUNTED_WITHIN = Duration.ofSeconds(10);

    @Test
    void anOomKillRightAfterTheFirstSuccessfulScrapeIsCounted() throws Exception {
        Preconditions.requireBpfPrivileges();
        Preconditions.tool("perl", "perl");
        Preconditions.require(TestCgroup.hierarchy().isPresent(), "no cgroup hierarchy is mounted");
        int port = ExporterProcess.freePort();
        String metricsUrl = "http://127.0.0.1:" + port + "/metrics";
        try (TestCgroup cgroup = TestCgroup.createWithMemoryLimit("dwstart-" + ProcessHandle.current().pid(), OOM_LIMIT)) {
            Process victim = cgroup.startArmedAllocator(4 * OOM_LIMIT);
            long start = System.nanoTime();
            try (ExporterProcess exporter = ExporterProcess.start(Dockerfile.jvmFlags(), Dockerfile.environmentWith("METRICS_ADDRESS",
                    "127.0.0.1", "METRICS_PORT", Integer.toString(port), "KUBERNETES_RESOLUTION", "off",
                    "NODE_NAME", "startup-node"))) {
                Map<Integer, Integer> answersBefore = new TreeMap<>();
                awaitFirst200(exporter, metricsUrl, answersBefore);
                long firstOkMillis = (System.nanoTime() - start) / 1_000_000;
                try (OutputStream go = victim.getOutputStream()) {
                    go.write('\n');
                }

                assertTrue(victim.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the allocator ended");
                assertEquals(SIGKILL_EXIT, victim.exitValue(), "the allocator was SIGKILLed");
                assertEquals(1, cgroup.kernelOomKills(), "the kernel counted one OOM kill in " + cgroup.path());
                String container = "container=\"" + cgroup.path() + "\"";
                OptionalDouble kills = OptionalDouble.empty();
                String metrics = "";
                long end = System.nanoTime() + COUNTED_WITHIN.toNanos();
                while (kills.isEmpty() && System.nanoTime() < end) {
                    Thread.sleep(100);
                    metrics = Http.get(metricsUrl).body();
                    kills = Exposition.value(metrics, "oom_kills_total", container);
                }
                assertEquals(OptionalDouble.of(1.0), kills, "the kill " + firstOkMillis + " ms after start, right after the"
                        + " first 200 from /metrics (answers before it: " + answersBefore + "), is counted:\n" + metrics
                        + "\nexporter:\n" + exporter.output());
                assertTrue(answersBefore.keySet().stream().allMatch(status -> status == 503),
                        "before the first 200, /metrics answers 503 (or is not listening yet): " + answersBefore);
                System.out.println("startup: first 200 from /metrics " + firstOkMillis + " ms after start (before it: "
                        + answersBefore + "); the OOM kill right after it counted");
            }
        }
    }

    /** Polls /metrics every 5 ms until a 200; counts every other status seen. */
    private static void awaitFirst200(ExporterProcess exporter, String url, Map<Integer, Integer> others)
            throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            try {
                HttpResponse<String> answer = Http.get(url);
                if (answer.statusCode() == 200) {
                    return;
                }
                others.merge(answer.statusCode(), 1, Integer::sum);
            } catch (IOException e) {
                if (exporter.awaitExit(Duration.ZERO) >= 0) {
                    throw new AssertionError("the exporter exited:\n" + exporter.output());
                }
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new AssertionError("/metrics did not answer 200 within " + WAIT + ":\n" + exporter.output());
    }
}
