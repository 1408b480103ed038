package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Helm chart {@code deploy/helm/dentrywatch}, with the real {@code helm} and {@code kubectl}
 * ({@code scripts/setup.sh dentrywatch_install_k8s_tools} fetches them and sets DENTRYWATCH_HELM and
 * DENTRYWATCH_KUBECTL): lint, renderings with default and non-default values through
 * {@link ManifestChecks}, and no drift from {@code deploy/kubernetes}.
 */
class HelmChartTest {

    /** Labels Helm charts add by convention that kustomize's objects do not carry. */
    private static final Set<String> HELM_ONLY_LABELS = Set.of("helm.sh/chart", "app.kubernetes.io/managed-by",
            "app.kubernetes.io/instance", "app.kubernetes.io/version", "app.kubernetes.io/part-of");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    static Path helmHome;

    private static Path helm;
    private static Path kubectl;

    @BeforeAll
    static void tools() {
        helm = tool("DENTRYWATCH_HELM", "helm");
        kubectl = tool("DENTRYWATCH_KUBECTL", "kubectl");
    }

    private static Path tool(String variable, String name) {
        String configured = System.getenv(variable);
        Path path = configured == null || configured.isEmpty() ? null : Path.of(configured);
        Preconditions.require(path != null && Files.isExecutable(path), name + " not found (" + variable + "="
                + configured + "): run scripts/test.sh, or `. scripts/setup.sh; dentrywatch_install_k8s_tools`"
                + " before Maven");
        return path;
    }

    private static Path chart() {
        return DeployFiles.dir().resolve("helm/dentrywatch");
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(Path tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        // nothing written to the user's home: helm's cache, configuration and data in a temporary directory
        builder.environment().put("HELM_CACHE_HOME", helmHome.resolve("cache").toString());
        builder.environment().put("HELM_CONFIG_HOME", helmHome.resolve("config").toString());
        builder.environment().put("HELM_DATA_HOME", helmHome.resolve("data").toString());
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), command + " did not finish");
        return new Result(process.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
    }

    private static Result template(String... values) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("template", "dentrywatch", chart().toString(), "--namespace", "monitoring"));
        args.addAll(List.of(values));
        return run(helm, args.toArray(String[]::new));
    }

    private static Manifests rendered(String source, String... values) throws IOException, InterruptedException {
        Result result = template(values);
        assertEquals(0, result.exit(), "helm template " + String.join(" ", values) + ":\n" + result.err());
        return Manifests.parse(source, result.out());
    }

    private static Manifests kustomized() throws IOException, InterruptedException {
        Result result = run(kubectl, "kustomize", DeployFiles.dir().resolve("kubernetes").toString());
        assertEquals(0, result.exit(), "kubectl kustomize:\n" + result.err());
        return Manifests.parse("kubectl kustomize deploy/kubernetes", result.out());
    }

    /** The values file that changes every value the chart has. */
    private static Path nonDefaultValues() throws IOException {
        Path file = helmHome.resolve("non-default-values.yaml");
        Files.writeString(file, """
                nameOverride: dw
                image: {registry: registry.example.com, repository: obs/dentrywatch-exporter, tag: "1.2.3", pullPolicy: Always}
                imagePullSecrets: [{name: regcred}]
                exporter:
                  port: 9191
                  address: 0.0.0.0
                  sampleInterval: 5s
                  attachMode: kprobe
                  cgroupKey: memory
                  maxContainerSeries: 0
                  gracePeriod: 10m
                  mapCapacity: 32768
                  kubernetesResolution: "off"
                  kubernetesApi: https://api.internal.example:6443
                  oomWatcher: "off"
                  logLevel: debug
                  negativeSources: 10
                  negativeSourcesNodeCap: 200
                rbac: {create: false}
                serviceAccount: {create: false, name: existing-account}
                priorityClassName: system-node-critical
                podAnnotations: {example.com/scrape: "no"}
                podLabels: {team: observability}
                nodeSelector: {kubernetes.io/os: linux, pool: large-memory}
                tolerations: [{operator: Exists}, {key: dedicated, operator: Equal, value: db, effect: NoSchedule}]
                affinity:
                  nodeAffinity:
                    requiredDuringSchedulingIgnoredDuringExecution:
                      nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [large-memory]}]}]
                resources: {requests: {cpu: 10m, memory: 200Mi}, limits: {cpu: "1", memory: 300Mi}}
                service: {labels: {tier: metrics}}
                serviceMonitor: {labels: {release: kps}, interval: 15s}
                prometheusRule: {labels: {release: kps}, nodeDentryCacheThreshold: "20e6"}
                grafanaDashboard: {enabled: true, namespace: grafana}
                """);
        return file;
    }

    @Test
    void helmLintStrictPasses() throws Exception {
        Result lint = run(helm, "lint", "--strict", chart().toString());

        assertEquals(0, lint.exit(), lint.out() + lint.err());
        assertTrue(lint.out().contains("1 chart(s) linted, 0 chart(s) failed"), lint.out());
        Result lintNonDefault = run(helm, "lint", "--strict", chart().toString(), "-f", nonDefaultValues().toString());
        assertEquals(0, lintNonDefault.exit(), lintNonDefault.out() + lintNonDefault.err());
    }

    @Test
    void kustomizeOutputPassesTheManifestChecks() throws Exception {
        ManifestChecks.all(kustomized());
    }

    @Test
    void defaultValuesPassTheManifestChecks() throws Exception {
        Manifests manifests = rendered("helm template (defaults)");

        ManifestChecks.all(manifests);
        assertEquals(Optional.of("on"), manifests.env("KUBERNETES_RESOLUTION"));
        assertTrue(manifests.all("ConfigMap").isEmpty(), "the dashboard ConfigMap is opt-in");
    }

    @Test
    void defaultValuesRenderWhatKustomizeRenders() throws Exception {
        Map<String, JsonNode> chart = byKindAndName(rendered("helm template (defaults)"));
        Map<String, JsonNode> kustomize = byKindAndName(kustomized());

        assertEquals(kustomize.keySet(), chart.keySet(), "the same objects");
        kustomize.forEach((key, expected) -> assertEquals(expected, chart.get(key),
                key + " drifted between the chart and deploy/kubernetes"));
    }

    /** Objects by kind/namespace/name, without the labels only Helm adds. */
    private static Map<String, JsonNode> byKindAndName(Manifests manifests) {
        Map<String, JsonNode> objects = new TreeMap<>();
        for (JsonNode document : manifests.documents()) {
            JsonNode copy = document.deepCopy();
            dropHelmLabels(copy);
            objects.put(copy.get("kind").asText() + "/" + copy.path("metadata").path("namespace").asText()
                    + "/" + copy.get("metadata").get("name").asText(), copy);
        }
        return objects;
    }

    private static void dropHelmLabels(JsonNode node) {
        if (node instanceof ObjectNode object) {
            HELM_ONLY_LABELS.forEach(object::remove);
            object.forEach(HelmChartTest::dropHelmLabels);
        } else if (node.isArray()) {
            node.forEach(HelmChartTest::dropHelmLabels);
        }
    }

    @Test
    void nonDefaultValuesReachTheObjectsAndPassTheManifestChecks() throws Exception {
        Manifests manifests = rendered("helm template (non-default values)", "-f", nonDefaultValues().toString());
        ManifestChecks.all(manifests);

        DaemonSet daemonSet = manifests.daemonSet();
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        Container exporter = manifests.exporter();
        assertEquals("dentrywatch-dw", daemonSet.getMetadata().getName());
        assertEquals("registry.example.com/obs/dentrywatch-exporter:1.2.3", exporter.getImage());
        assertEquals("Always", exporter.getImagePullPolicy());
        assertEquals("regcred", pod.getImagePullSecrets().getFirst().getName());
        assertEquals("system-node-critical", pod.getPriorityClassName());
        assertEquals("no", daemonSet.getSpec().getTemplate().getMetadata().getAnnotations().get("example.com/scrape"));
        assertEquals("observability", daemonSet.getSpec().getTemplate().getMetadata().getLabels().get("team"));
        assertEquals("large-memory", pod.getNodeSelector().get("pool"));
        assertEquals(2, pod.getTolerations().size());
        assertEquals("large-memory", pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().getFirst().getMatchExpressions().getFirst().getValues().getFirst());
        assertEquals("300Mi", exporter.getResources().getLimits().get("memory").toString());
        assertEquals("existing-account", pod.getServiceAccountName());
        assertEquals(Optional.empty(), manifests.find(ServiceAccount.class), "serviceAccount.create: false");
        assertEquals(Optional.empty(), manifests.find(ClusterRole.class), "rbac.create: false");
        assertEquals(Optional.empty(), manifests.find(ClusterRoleBinding.class), "rbac.create: false");
        assertEquals(9191, manifests.one(io.fabric8.kubernetes.api.model.Service.class).getSpec().getPorts().getFirst().getPort());
        assertEquals("metrics", manifests.one(io.fabric8.kubernetes.api.model.Service.class).getMetadata().getLabels().get("tier"));
        manifests.documents().forEach(d -> assertEquals("dentrywatch", d.get("metadata").get("labels")
                .get("app.kubernetes.io/instance").asText(), d.get("kind") + " carries the release's instance label"));

        JsonNode monitor = manifests.find("ServiceMonitor").orElseThrow();
        assertEquals("kps", monitor.get("metadata").get("labels").get("release").asText());
        assertEquals("15s", monitor.get("spec").get("endpoints").get(0).get("interval").asText());
        JsonNode rule = manifests.find("PrometheusRule").orElseThrow();
        assertEquals("kps", rule.get("metadata").get("labels").get("release").asText());
        JsonNode large = alert(rule.get("spec"), "NodeDentryCacheLarge");
        assertEquals("node_dentry_count{type=\"total\"} > 20e6", large.get("expr").asText());
        assertTrue(large.get("annotations").get("description").asText().contains("more than 20M dentries"));
    }

    @Test
    void everyExporterSettingIsAValue() throws Exception {
        Manifests manifests = rendered("helm template (non-default values)", "-f", nonDefaultValues().toString());
        Map<String, String> env = manifests.exporter().getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "<downward API>" : e.getValue()));

        assertEquals(Arrays.stream(Setting.values()).map(Setting::variable).collect(Collectors.toSet()), env.keySet(),
                "every setting of the exporter can be set from the chart's values");
        assertEquals(Map.ofEntries(Map.entry("NODE_NAME", "<downward API>"), Map.entry("METRICS_ADDRESS", "0.0.0.0"),
                Map.entry("METRICS_PORT", "9191"), Map.entry("SAMPLE_INTERVAL", "5s"), Map.entry("ATTACH_MODE", "kprobe"),
                Map.entry("CGROUP_KEY", "memory"), Map.entry("MAX_CONTAINER_SERIES", "0"), Map.entry("GRACE_PERIOD", "10m"),
                Map.entry("MAP_CAPACITY", "32768"), Map.entry("KUBERNETES_RESOLUTION", "off"), Map.entry("KUBERNETES_API", "https://api.internal.example:6443"),
                Map.entry("OOM_WATCHER", "off"),
                Map.entry("PROC_ROOT", "/host/proc"), Map.entry("LOG_LEVEL", "debug"), Map.entry("NEGATIVE_SOURCES", "10"),
                Map.entry("NEGATIVE_SOURCES_NODE_CAP", "200")), env);
        // and the exporter accepts each value, as its environment in the pod
        Map<String, String> environment = new TreeMap<>(env);
        environment.put("NODE_NAME", "node-1");
        ExporterConfig config = new ConfigLoader(environment, () -> "host").load(CommandLine.parse());
        assertEquals(9191, config.metricsPort());
        assertEquals("node-1", config.nodeName());
    }

    @Test
    void theGrafanaDashboardIsAConfigMapForTheSidecar() throws Exception {
        Manifests manifests = rendered("helm template (dashboard)", "--set", "grafanaDashboard.enabled=true");
        JsonNode configMap = manifests.find("ConfigMap").orElseThrow();

        assertEquals("1", configMap.get("metadata").get("labels").get("grafana_dashboard").asText());
        assertEquals("monitoring", configMap.get("metadata").get("namespace").asText());
        String json = configMap.get("data").get("dentrywatch-dashboard.json").asText();
        ObjectMapper mapper = new ObjectMapper();
        assertEquals(mapper.readTree(DeployFiles.dashboard().toFile()), mapper.readTree(json));
    }

    @Test
    void theDefaultRuleIsTheRulesFile() throws Exception {
        JsonNode rule = rendered("helm template (defaults)").find("PrometheusRule").orElseThrow();

        assertEquals(YAML.readTree(DeployFiles.rules().toFile()).get("groups"), rule.get("spec").get("groups"));
    }

    @Test
    void aThresholdThatIsNotANumberFailsTheRendering() throws Exception {
        Result result = template("--set", "prometheusRule.nodeDentryCacheThreshold=lots");

        assertNotEquals(0, result.exit());
        assertTrue(result.err().contains("prometheusRule.nodeDentryCacheThreshold must be a positive number"), result.err());
    }

    @Test
    void theChartsCopiesAreTheDeployFiles() throws IOException {
        assertEquals(Files.readString(DeployFiles.dashboard()), Files.readString(chart().resolve("files/dentrywatch-dashboard.json")),
                "deploy/helm/dentrywatch/files/dentrywatch-dashboard.json is a copy of deploy/grafana/dentrywatch-dashboard.json");
        assertEquals(Files.readString(DeployFiles.rules()), Files.readString(chart().resolve("files/dentrywatch-rules.yaml")),
                "deploy/helm/dentrywatch/files/dentrywatch-rules.yaml is a copy of deploy/prometheus/dentrywatch-rules.yaml");
    }

    private static JsonNode alert(JsonNode spec, String name) {
        for (JsonNode group : spec.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                if (name.equals(rule.path("alert").asText())) {
                    return rule;
                }
            }
        }
        throw new AssertionError("no alert " + name);
    }
}
