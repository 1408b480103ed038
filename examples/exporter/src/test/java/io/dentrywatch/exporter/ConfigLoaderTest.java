package io.dentrywatch.exporter;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    private static ExporterConfig load(Map<String, String> env, String... args) throws ConfigException {
        return new ConfigLoader(env, () -> "this-host").load(CommandLine.parse(args));
    }

    private static String error(Map<String, String> env, String... args) {
        return assertThrows(ConfigException.class, () -> load(env, args)).getMessage();
    }

    @Test
    void defaultsWithAnEmptyEnvironment() throws ConfigException {
        ExporterConfig config = load(Map.of());

        assertEquals("this-host", config.nodeName());
        assertEquals(Optional.empty(), config.metricsAddress());
        assertEquals(9090, config.metricsPort());
        assertEquals(Duration.ofSeconds(1), config.sampleInterval());
        assertEquals(AttachMode.AUTO, config.attachMode());
        assertEquals(CgroupKey.AUTO, config.cgroupKey());
        assertEquals(1000, config.maxContainerSeries());
        assertEquals(Duration.ofMinutes(5), config.gracePeriod());
        assertEquals(16_384, config.mapCapacity());
        assertFalse(config.kubernetes());
        assertTrue(config.oomWatcher());
        assertEquals(Path.of("/proc"), config.procRoot());
        assertEquals(LogLevel.INFO, config.logLevel());
    }

    @Test
    void everySettingFromTheEnvironment() throws ConfigException {
        ExporterConfig config = load(Map.ofEntries(
                Map.entry("NODE_NAME", "node-a"), Map.entry("METRICS_ADDRESS", "127.0.0.1"),
                Map.entry("METRICS_PORT", "9101"), Map.entry("SAMPLE_INTERVAL", "500ms"),
                Map.entry("ATTACH_MODE", "tracepoint"), Map.entry("CGROUP_KEY", "V2"),
                Map.entry("MAX_CONTAINER_SERIES", "0"), Map.entry("GRACE_PERIOD", "2h"),
                Map.entry("MAP_CAPACITY", "1024"), Map.entry("KUBERNETES_RESOLUTION", "on"),
                Map.entry("OOM_WATCHER", "Off"), Map.entry("PROC_ROOT", "/host/proc"), Map.entry("LOG_LEVEL", "Debug"),
                Map.entry("KUBERNETES_API", "https://10.96.0.1:443")));

        assertEquals(new ExporterConfig("node-a", Optional.of("127.0.0.1"), 9101, Duration.ofMillis(500),
                AttachMode.TRACEPOINT, CgroupKey.V2, 0, Duration.ofHours(2), 1024, true,
                Optional.of(URI.create("https://10.96.0.1:443")), false, Path.of("/host/proc"), LogLevel.DEBUG, 0, 500), config);
        assertEquals(Duration.ofMinutes(121), config.deletedPodGrace());
    }

    @Test
    void anOptionWinsOverItsVariableInBothSpellings() throws ConfigException {
        Map<String, String> env = Map.of("METRICS_PORT", "9101", "SAMPLE_INTERVAL", "5s");

        ExporterConfig config = load(env, "--metrics-port=9102", "--sample-interval", "2m");

        assertEquals(9102, config.metricsPort());
        assertEquals(Duration.ofMinutes(2), config.sampleInterval());
    }

    @Test
    void anEmptyVariableCountsAsUnset() throws ConfigException {
        assertEquals(9090, load(Map.of("METRICS_PORT", "", "ATTACH_MODE", " ")).metricsPort());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "METRICS_PORT|abc|METRICS_PORT=abc: not a port number (1-65535)",
            "METRICS_PORT|0|METRICS_PORT=0: not a port number (1-65535)",
            "METRICS_PORT|70000|METRICS_PORT=70000: not a port number (1-65535)",
            "SAMPLE_INTERVAL|5|SAMPLE_INTERVAL=5: not a duration (a whole number and a unit: 500ms, 10s, 5m, 1h)",
            "SAMPLE_INTERVAL|-1s|SAMPLE_INTERVAL=-1s: not a duration (a whole number and a unit: 500ms, 10s, 5m, 1h)",
            "GRACE_PERIOD|forever|GRACE_PERIOD=forever: not a duration (a whole number and a unit: 500ms, 10s, 5m, 1h)",
            "ATTACH_MODE|fast|ATTACH_MODE=fast: not one of auto, fentry, kprobe, tracepoint, none",
            "CGROUP_KEY|v1|CGROUP_KEY=v1: not one of auto, v2, memory",
            "MAX_CONTAINER_SERIES|-1|MAX_CONTAINER_SERIES=-1: not a whole number from 0 to 1000000",
            "MAX_CONTAINER_SERIES|1e3|MAX_CONTAINER_SERIES=1e3: not a whole number from 0 to 1000000",
            "MAP_CAPACITY|0|MAP_CAPACITY=0: not a whole number from 1 to 1048576",
            "KUBERNETES_RESOLUTION|yes|KUBERNETES_RESOLUTION=yes: not one of auto, on, off",
            "KUBERNETES_API|ftp://10.96.0.1|KUBERNETES_API=ftp://10.96.0.1: not in-cluster or an http(s) URL of an API"
                    + " server (for example https://10.96.0.1:443, or http://127.0.0.1:8001 from kubectl proxy)",
            "OOM_WATCHER|auto|OOM_WATCHER=auto: not one of on, off",
            "PROC_ROOT|proc|PROC_ROOT=proc: not an absolute path (for example /proc or /host/proc)",
            "LOG_LEVEL|verbose|LOG_LEVEL=verbose: not one of error, warn, info, debug, trace",
            "METRICS_ADDRESS|no.such.host.invalid|METRICS_ADDRESS=no.such.host.invalid: not an IP address or a host"
                    + " name this node resolves (for example 0.0.0.0, 127.0.0.1, ::)",
    })
    void anInvalidVariableIsNamedWithItsValidValues(String variable, String value, String message) {
        assertEquals(message, error(Map.of(variable, value)));
    }

    @Test
    void anInvalidOptionIsNamedAsGiven() {
        assertEquals("--metrics-port=http: not a port number (1-65535)",
                error(Map.of("METRICS_PORT", "9090"), "--metrics-port", "http"));
    }

    @Test
    void kubernetesAutoFollowsTheInClusterVariable() throws ConfigException {
        assertFalse(load(Map.of()).kubernetes());
        assertTrue(load(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "NODE_NAME", "node-a")).kubernetes());
        assertFalse(load(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), "--kubernetes-resolution=off").kubernetes());
        // an API server given outside a pod (kubectl proxy) turns it on too
        ExporterConfig proxied = load(Map.of("NODE_NAME", "node-a"), "--kubernetes-api=http://127.0.0.1:8001");
        assertTrue(proxied.kubernetes());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:8001")), proxied.kubernetesApi());
        assertEquals(Optional.empty(), load(Map.of("KUBERNETES_API", "in-cluster", "NODE_NAME", "node-a")).kubernetesApi());
        assertTrue(error(Map.of(), "--kubernetes-api=http://127.0.0.1:8001").startsWith(
                "NODE_NAME is not set, and Kubernetes resolution is on (--kubernetes-api=http://127.0.0.1:8001)"));
    }

    @Test
    void kubernetesWithoutNodeNameSaysHowToSetIt() {
        String inPod = error(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"));
        String forced = error(Map.of(), "--kubernetes-resolution=on");

        assertTrue(inPod.startsWith("NODE_NAME is not set, and Kubernetes resolution is on (in a pod)"), inPod);
        assertTrue(inPod.contains("fieldPath: spec.nodeName"), inPod);
        assertTrue(forced.startsWith("NODE_NAME is not set, and Kubernetes resolution is on (--kubernetes-resolution=on)"),
                forced);
    }
}
