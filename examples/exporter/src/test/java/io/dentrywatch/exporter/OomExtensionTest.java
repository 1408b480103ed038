package io.dentrywatch.exporter;

import io.dentrywatch.cgroup.PathContainerResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OOM extension when it is turned off and when the watcher cannot open: the exporter runs on. */
class OomExtensionTest {

    /**
     * A procfs whose process has no capabilities: the watcher refuses to load its probes, as without
     * root. The host's kernel release and cgroup mounts, read at start with the capabilities, are this one's.
     */
    private static ExporterConfig withoutCapabilities(ExporterConfig config, Path procRoot) throws IOException {
        Files.createDirectories(procRoot.resolve("self"));
        Files.createDirectories(procRoot.resolve("sys/kernel"));
        Files.writeString(procRoot.resolve("self/status"), "Name:\tjava\nCapEff:\t0000000000000000\n");
        for (String file : List.of("sys/kernel/osrelease", "self/mountinfo")) {
            try (InputStream in = Files.newInputStream(Path.of("/proc").resolve(file))) { // size 0: read, not copied
                Files.write(procRoot.resolve(file), in.readAllBytes());
            }
        }
        return new ExporterConfig(config.nodeName(), config.metricsAddress(), config.metricsPort(), config.sampleInterval(),
                config.attachMode(), config.cgroupKey(), config.maxContainerSeries(), config.gracePeriod(),
                config.mapCapacity(), config.kubernetes(), config.kubernetesApi(), config.oomWatcher(), procRoot,
                config.logLevel(), config.negativeSources(), config.negativeSourcesNodeCap());
    }

    @Test
    void offOpensNothing() throws Exception {
        ExporterConfig off = new ConfigLoader(Map.of("OOM_WATCHER", "off"), () -> "n1").load(CommandLine.parse());

        assertTrue(OomExtension.open(off, new PathContainerResolver()).isEmpty());
    }

    @Test
    void aWatcherThatCannotOpenLeavesTheExporterServingAndHealthzSaysWhy(@TempDir Path proc) throws Exception {
        ExporterConfig noCapabilities = withoutCapabilities(ExporterTest.nodeOnly(), proc);
        ExporterExtension oom = OomExtension.open(noCapabilities, new PathContainerResolver()).orElseThrow();

        assertTrue(oom.status().startsWith("not watching, no oom_* families: the OOM watcher needs CAP_BPF and"
                + " CAP_PERFMON"), oom.status());
        assertEquals(0, oom.collector().collect().size());
        oom.close();

        // the same through the exporter: the sampler reads the real /proc, the OOM watcher the one without capabilities
        try (Exporter exporter = Exporter.start(ExporterTest.nodeOnly(), List.of((config, resolver) ->
                OomExtension.open(noCapabilities, resolver)))) {
            HttpResponse<String> health = Http.get("http://127.0.0.1:" + exporter.port() + "/healthz");
            String metrics = Http.get("http://127.0.0.1:" + exporter.port() + "/metrics").body();

            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("\noom: not watching, no oom_* families: the OOM watcher needs CAP_BPF"),
                    health.body());
            assertFalse(metrics.contains("oom_"), metrics);
            assertTrue(Exposition.value(metrics, "node_dentry_count", "type=\"total\"").isPresent(), metrics);
        }
    }

    @Test
    void theBuiltInExtensionsAreTheOomWatcher() throws Exception {
        ExporterConfig off = new ConfigLoader(Map.of("OOM_WATCHER", "off"), () -> "n1").load(CommandLine.parse());

        assertEquals(1, Extensions.builtIn().size());
        assertTrue(Extensions.builtIn().getFirst().open(off, new PathContainerResolver()).isEmpty());
    }
}
