package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exporter jar on this host, with the image's JVM flags, scraped by a real Prometheus that also
 * evaluates the alert rules: dentry churn in a cgroup the test creates shows up in PromQL as the
 * expected increase; an OOM kill in a memory cgroup the test limits is that cgroup's oom_kills_total of 1
 * on /metrics and in PromQL, fires ContainerOOMKilled and is logged; every alert and dashboard expression
 * evaluates; 50 concurrent scrapers get complete answers from one kernel read per interval; SIGTERM stops
 * it and its probes are gone.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExporterEndToEndIT {

    private static final int LOOKUPS = 20_000;
    private static final long OOM_LIMIT = 64L << 20;
    private static final int SIGKILL_EXIT = 128 + 9;
    private static final String NODE = "e2e-node";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(1);
    private static final Pattern TEMPLATE_QUERY = Pattern.compile("printf \"([^\"]+)\" \\$labels\\.node \\| query");

    private ExporterProcess exporter;
    private PrometheusServer prometheus;
    private TestCgroup cgroup;
    private TestCgroup oomCgroup;
    private int port;
    private long readyMillis;
    private long firstScrapeMillis;
    private final List<String> measurements = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Preconditions.requireBpfPrivileges();
        Path prometheusBinary = Preconditions.tool("prometheus", "prometheus");
        Preconditions.tool("bpftool", "bpftool");
        Preconditions.require(TestCgroup.hierarchy().isPresent(), "no cgroup hierarchy is mounted");
        port = ExporterProcess.freePort();
        long start = System.nanoTime();
        exporter = ExporterProcess.start(Dockerfile.jvmFlags(), Dockerfile.environmentWith(
                "METRICS_ADDRESS", "127.0.0.1", "METRICS_PORT", Integer.toString(port),
                "KUBERNETES_RESOLUTION", "off", "NODE_NAME", NODE, "SAMPLE_INTERVAL", SAMPLE_INTERVAL.toSeconds() + "s"));
        exporter.awaitHealthy(port, Duration.ofSeconds(120));
        readyMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, Http.get(url("/metrics")).statusCode());
        firstScrapeMillis = (System.nanoTime() - start) / 1_000_000;
        prometheus = PrometheusServer.start(prometheusBinary, port, NODE, DeployFiles.rules());
        prometheus.awaitReady(WAIT);
    }

    @AfterAll
    void stop() throws Exception {
        measurements.forEach(System.out::println);
        if (prometheus != null) {
            prometheus.close();
        }
        if (exporter != null) {
            exporter.close();
        }
        if (cgroup != null) {
            cgroup.close();
        }
        if (oomCgroup != null) {
            oomCgroup.close();
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private record Sample(double time, double value) {
    }

    /**
     * Polls Prometheus until the selector's one series has a value the predicate accepts; the sample as
     * scraped, with its own timestamp (a range query returns raw samples, an instant query the query time).
     */
    private Sample awaitSample(String selector, DoublePredicate accept) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end) {
            last = prometheus.query(selector + "[10s]");
            JsonNode result = last.path("data").path("result");
            if (result.size() == 1) {
                JsonNode values = result.get(0).get("values");
                JsonNode latest = values.get(values.size() - 1);
                Sample sample = new Sample(latest.get(0).asDouble(), latest.get(1).asDouble());
                if (accept.test(sample.value())) {
                    return sample;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus did not get there within " + WAIT + "; last answer to " + selector + ": "
                + last + "\nexporter:\n" + exporter.output() + "\nprometheus:\n" + prometheus.log());
    }

    private static void assertSucceeded(String what, JsonNode response) {
        assertEquals("success", response.path("status").asText(), what + ": " + response);
    }

    @Test
    @Order(1)
    void prometheusSeesTheChurnOfACgroupOfThisHostAsItsIncrease() throws Exception {
        cgroup = TestCgroup.create("dwe2e-" + ProcessHandle.current().pid());
        cgroup.lookupMissing(200);
        String selector = "dentry_alloc_total{job=\"dentrywatch\", node=\"" + NODE + "\", namespace=\"\", pod=\"\", container=\""
                + cgroup.path() + "\"}";
        Sample before = awaitSample(selector, v -> v >= 200);

        cgroup.lookupMissing(LOOKUPS);
        Sample after = awaitSample(selector, v -> v >= before.value() + LOOKUPS);

        double delta = after.value() - before.value();
        assertTrue(delta >= LOOKUPS && delta <= LOOKUPS * 1.03, "a lookup of a missing name allocates one dentry: " + delta);
        // a window from just before the sample before the churn to the sample after it
        long windowMillis = Math.round((after.time() - before.time()) * 1000) + 500;
        JsonNode increase = prometheus.query("increase(" + selector + "[" + windowMillis + "ms])", after.time());
        assertSucceeded("increase", increase);
        double increased = increase.get("data").get("result").get(0).get("value").get(1).asDouble();
        assertTrue(increased >= delta && increased <= delta + before.value() + 1e-6,
                "increase() is the raw increase, extrapolated at most to the counter's zero point: " + increased);
        measurements.add("e2e: " + LOOKUPS + " lookups in " + cgroup.path() + " -> dentry_alloc_total +" + (long) delta
                + ", increase() " + Math.round(increased));
    }

    @Test
    @Order(2)
    void anOomKillInAMemoryCgroupIsItsContainersSeriesOnMetricsAndInPromQlFiresTheAlertAndIsLogged() throws Exception {
        Preconditions.tool("perl", "perl");
        oomCgroup = TestCgroup.createWithMemoryLimit("dwoom-" + ProcessHandle.current().pid(), OOM_LIMIT);
        Instant started = Instant.now();
        Process victim = oomCgroup.startAllocator(4 * OOM_LIMIT);
        assertTrue(victim.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the allocator ended");
        assertEquals(SIGKILL_EXIT, victim.exitValue(), "the allocator was SIGKILLed");
        assertEquals(1, oomCgroup.kernelOomKills(), "the kernel counted one OOM kill in " + oomCgroup.path());
        String container = "container=\"" + oomCgroup.path() + "\"";

        // /metrics: the container's series (named by its path: no Kubernetes here), its memory and time
        String metrics = awaitMetrics(m -> Exposition.value(m, "oom_kills_total", container).isPresent());
        assertEquals(1.0, Exposition.value(metrics, "oom_kills_total", container, "node=\"" + NODE + "\"",
                "namespace=\"\"", "pod=\"\"").orElseThrow(), metrics);
        double anon = Exposition.value(metrics, "oom_memory_usage_bytes", container, "memory_type=\"anon_rss\"").orElseThrow();
        assertTrue(anon > OOM_LIMIT / 2 && anon <= OOM_LIMIT, "anon_rss of a victim at a 64 MiB limit: " + anon);
        double killedAt = Exposition.value(metrics, "oom_last_timestamp", container).orElseThrow();
        assertTrue(killedAt >= started.getEpochSecond() - 1 && killedAt <= Instant.now().getEpochSecond() + 1,
                "killed between the start of the allocator and now: " + killedAt);
        assertTrue(Exposition.value(metrics, "oom_kills_per_node_total", "node=\"" + NODE + "\"").orElseThrow() >= 1);
        assertEquals(0.0, Exposition.value(metrics, "oom_lost_events_total").orElseThrow());

        // PromQL: the series as Prometheus scraped it, and the alert it fires
        Sample scraped = awaitSample("oom_kills_total{job=\"dentrywatch\", node=\"" + NODE + "\", namespace=\"\", pod=\"\", "
                + container + "}", v -> v >= 1);
        assertEquals(1.0, scraped.value());
        awaitSample("ALERTS{alertname=\"ContainerOOMKilled\", alertstate=\"firing\", " + container + "}", v -> v == 1);

        // the log: one line, with the victim's pid, the scope and its memory
        String line = "OOM kill: container " + oomCgroup.path() + " (pid " + victim.pid() + " perl, memory cgroup): anon_rss=";
        assertEquals(1, exporter.output().lines().filter(l -> l.contains(line)).count(), exporter.output());
        measurements.add("e2e: OOM kill in " + oomCgroup.path() + " -> oom_kills_total 1 on /metrics and in PromQL,"
                + " ContainerOOMKilled firing; logged: " + exporter.output().lines().filter(l -> l.contains(line))
                .findFirst().orElseThrow());
    }

    /** Scrapes /metrics until the answer satisfies {@code accept}; the last answer. */
    private String awaitMetrics(java.util.function.Predicate<String> accept) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        String metrics = Http.get(url("/metrics")).body();
        while (!accept.test(metrics) && System.nanoTime() < end) {
            Thread.sleep(250);
            metrics = Http.get(url("/metrics")).body();
        }
        assertTrue(accept.test(metrics), "not within " + WAIT + ":\n" + metrics + "\nexporter:\n" + exporter.output());
        return metrics;
    }

    @Test
    @Order(3)
    void everyAlertRuleEvaluatesWithoutError() throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        List<JsonNode> rules = List.of();
        while (System.nanoTime() < end) {
            List<JsonNode> seen = new ArrayList<>();
            prometheus.rules().path("data").path("groups").forEach(g -> g.get("rules").forEach(seen::add));
            rules = seen;
            if (rules.size() == AlertRulesTest.ALERTS.size()
                    && rules.stream().allMatch(r -> !r.path("lastEvaluation").asText().startsWith("0001-"))) {
                break;
            }
            Thread.sleep(250);
        }
        assertEquals(AlertRulesTest.ALERTS, rules.stream().map(r -> r.get("name").asText()).toList());
        for (JsonNode rule : rules) {
            String name = rule.get("name").asText();
            assertFalse(rule.path("lastEvaluation").asText().startsWith("0001-"), name + " was never evaluated: " + rule);
            assertEquals("ok", rule.get("health").asText(), name + ": " + rule);
            assertSucceeded(name, prometheus.query(rule.get("query").asText()));
        }
        for (JsonNode rule : AlertRulesTest.rules()) {
            Matcher m = TEMPLATE_QUERY.matcher(rule.path("annotations").path("description").asText());
            while (m.find()) {
                JsonNode answer = prometheus.query(m.group(1).formatted(NODE));
                assertSucceeded(rule.get("alert") + "'s description query", answer);
                assertFalse(answer.get("data").get("result").isEmpty(), "names the pods creating dentries: " + answer);
            }
        }
    }

    @Test
    @Order(4)
    void everyDashboardQueryEvaluatesWithoutError() throws Exception {
        List<String> withData = List.of("Node dentries (threshold line: $threshold)", "Dentry allocation rate per pod",
                "Top 10 pods by allocation rate", "Dentry cache growth", "OOM kills", "OOM kills in range");
        for (Dashboard.Query q : Dashboard.queries()) {
            JsonNode answer = prometheus.query(q.resolved());
            assertSucceeded(q.panel() + ": " + q.resolved(), answer);
            if (withData.contains(q.panel())) {
                assertFalse(answer.get("data").get("result").isEmpty(), q.panel() + " has data in every mode: " + q.resolved());
            }
        }
        JsonNode nodes = prometheus.query("group by (node) (node_dentry_count)");
        assertEquals(NODE, nodes.get("data").get("result").get(0).get("metric").get("node").asText(),
                "the node variable lists this node");
    }

    @Test
    @Order(5)
    void fiftyConcurrentScrapersGetCompleteAnswersFromOneKernelReadPerInterval() throws Exception {
        int scrapers = 50;
        Duration duration = Duration.ofSeconds(10);
        double readsBefore = Exposition.value(Http.get(url("/metrics")).body(), "dentry_monitor_reads_total").orElseThrow();
        AtomicInteger responses = new AtomicInteger();
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (ExecutorService pool = Executors.newFixedThreadPool(scrapers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < scrapers; i++) {
                boolean openMetrics = i % 2 == 0;
                futures.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        HttpResponse<String> r = Http.get(url("/metrics"), openMetrics ? Http.OPENMETRICS : "text/plain");
                        if (r.statusCode() != 200 || !Exposition.complete(r.body(), openMetrics)
                                || Exposition.value(r.body(), "dentry_monitor_reads_total").isEmpty()
                                || Exposition.value(r.body(), "node_dentry_count", "type=\"total\"").isEmpty()) {
                            problems.add(r.statusCode() + " " + r.body());
                        }
                        responses.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double readsAfter = Exposition.value(Http.get(url("/metrics")).body(), "dentry_monitor_reads_total").orElseThrow();

        assertEquals(List.of(), problems.stream().limit(3).toList(), problems.size() + " incomplete responses");
        assertTrue(responses.get() >= scrapers, "every scraper got answers: " + responses.get());
        double reads = readsAfter - readsBefore;
        double allowed = Math.floor(elapsed / SAMPLE_INTERVAL.toMillis() * 1000) + 2;
        assertTrue(reads >= 2 && reads <= allowed, reads + " kernel reads in " + elapsed + " s of scrapes (Prometheus's"
                + " included), at most one per " + SAMPLE_INTERVAL + ": " + allowed);
        measurements.add("e2e: " + scrapers + " scrapers, " + String.format("%.1f", elapsed) + " s: " + responses.get()
                + " complete responses, " + (long) reads + " kernel reads");
    }

    @Test
    @Order(6)
    void itsFootprintFitsTheDaemonSetsMemoryRequest() throws Exception {
        long rssKib = Files.readAllLines(Path.of("/proc", Long.toString(exporter.pid()), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).map(l -> l.replaceAll("[^0-9]", "")).mapToLong(Long::parseLong)
                .findFirst().orElseThrow();
        DaemonSet daemonSet = new KubernetesSerialization().unmarshal(
                Files.readString(DeployFiles.kubernetes("daemonset.yaml")), DaemonSet.class);
        Quantity request = daemonSet.getSpec().getTemplate().getSpec().getContainers().getFirst().getResources()
                .getRequests().get("memory");
        long requestKib = Quantity.getAmountInBytes(request).longValue() / 1024;

        measurements.add("e2e: exporter ready " + readyMillis + " ms after start, first scrape answered at "
                + firstScrapeMillis + " ms; RSS " + rssKib / 1024 + " MiB after the scrapes (DaemonSet requests "
                + request + ")");
        assertTrue(rssKib < requestKib, "RSS " + rssKib + " KiB exceeds the DaemonSet's memory request " + request);
    }

    @Test
    @Order(7)
    void sigtermStopsServingAndDetachesEveryProbe() throws Exception {
        BpfObjects.Ids held = BpfObjects.heldBy(exporter.pid());
        assertFalse(held.programs().isEmpty() || held.links().isEmpty(), "the exporter holds its probes: " + held);
        assertEquals(held, BpfObjects.stillLoaded(held));

        long start = System.nanoTime();
        exporter.terminate();
        int exit = exporter.awaitExit(Duration.ofSeconds(10));
        long stopMillis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(143, exit, "ended by SIGTERM after its shutdown hook ran:\n" + exporter.output());
        assertTrue(exporter.output().contains("stopping: no more scrapes, detaching the probes"), exporter.output());
        assertTrue(exporter.output().matches("(?s).*stopped in \\d+ ms: HTTP server closed, probes detached.*"),
                exporter.output());
        assertThrows(ConnectException.class, () -> Http.get(url("/healthz")));
        assertEquals(new BpfObjects.Ids(java.util.Set.of(), java.util.Set.of()),
                BpfObjects.awaitUnloaded(held, Duration.ofSeconds(10)), "programs or links left behind");
        measurements.add("e2e: SIGTERM to exit " + stopMillis + " ms; " + held.programs().size() + " programs and "
                + held.links().size() + " links gone");
    }

    @Test
    @Order(8)
    void closeDetachesEveryProbeWhileTheProcessLives() throws Exception {
        long self = ProcessHandle.current().pid();
        BpfObjects.Ids before = BpfObjects.heldBy(self);
        ExporterConfig config = new ConfigLoader(Map.of("METRICS_ADDRESS", "127.0.0.1", "KUBERNETES_RESOLUTION", "off"),
                () -> NODE).load(CommandLine.parse()).withMetricsPort(0);
        Exporter inProcess = Exporter.start(config, Extensions.builtIn());
        BpfObjects.Ids ours;
        try {
            assertEquals(200, Http.get("http://127.0.0.1:" + inProcess.port() + "/metrics").statusCode());
            ours = BpfObjects.heldBy(self).minus(before);
            assertFalse(ours.programs().isEmpty() || ours.links().isEmpty(), "the exporter attached probes: " + ours);
        } finally {
            inProcess.close();
        }
        BpfObjects.Ids after = BpfObjects.heldBy(self).minus(before);

        assertEquals(new BpfObjects.Ids(java.util.Set.of(), java.util.Set.of()), after, "file descriptors left open");
        assertEquals(new BpfObjects.Ids(java.util.Set.of(), java.util.Set.of()),
                BpfObjects.awaitUnloaded(ours, Duration.ofSeconds(10)), "programs or links left in the kernel");
    }
}
