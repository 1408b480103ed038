package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kubernetes manifests, read with fabric8's model: least privilege, and consistent with each other and the exporter. */
class ManifestsTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static <T extends HasMetadata> T read(String file, Class<T> type) throws IOException {
        return documents(file).stream().filter(d -> d.contains("kind: " + type.getSimpleName() + "\n")).findFirst()
                .map(d -> SERIALIZATION.unmarshal(d, type))
                .orElseThrow(() -> new AssertionError(file + " has no " + type.getSimpleName()));
    }

    private static List<String> documents(String file) throws IOException {
        return Arrays.asList(Files.readString(DeployFiles.kubernetes(file)).split("\n---\n"));
    }

    private static DaemonSet daemonSet() throws IOException {
        return read("daemonset.yaml", DaemonSet.class);
    }

    private static Container exporter() throws IOException {
        return daemonSet().getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .map(EnvVar::getValue).orElseThrow(() -> new AssertionError("no env " + name));
    }

    @Test
    void runsWithTheCapabilitiesItNeedsAndNothingMore() throws IOException {
        PodSpec pod = daemonSet().getSpec().getTemplate().getSpec();
        SecurityContext security = exporter().getSecurityContext();

        assertNotEquals(Boolean.TRUE, security.getPrivileged());
        assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation());
        assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
        assertEquals(List.of("BPF", "PERFMON", "SYS_RESOURCE", "SYSLOG"), security.getCapabilities().getAdd());
        assertEquals(0L, security.getRunAsUser(), "capabilities added by Kubernetes are effective for uid 0 only");
        assertNotEquals(Boolean.TRUE, pod.getHostPID());
        assertNotEquals(Boolean.TRUE, pod.getHostNetwork());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    }

    @Test
    void mountsTheHostPathsReadOnly() throws IOException {
        PodSpec pod = daemonSet().getSpec().getTemplate().getSpec();
        Map<String, String> hostPaths = pod.getVolumes().stream().filter(v -> v.getHostPath() != null)
                .collect(Collectors.toMap(Volume::getName, v -> v.getHostPath().getPath()));
        Map<String, VolumeMount> mounts = exporter().getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getName, m -> m));

        assertEquals(Set.of("/sys/fs/cgroup", "/sys/kernel/tracing", "/sys/kernel/btf", "/proc"),
                Set.copyOf(hostPaths.values()));
        hostPaths.keySet().forEach(name -> assertEquals(Boolean.TRUE, mounts.get(name).getReadOnly(), name));
        String procMount = mounts.get(hostPaths.entrySet().stream().filter(e -> e.getValue().equals("/proc"))
                .findFirst().orElseThrow().getKey()).getMountPath();
        assertEquals(procMount, env(exporter(), "PROC_ROOT"));
    }

    @Test
    void theEnvironmentUsesTheExportersSettingsAndTheDownwardApi() throws IOException {
        Container exporter = exporter();
        Set<String> variables = Arrays.stream(Setting.values()).map(Setting::variable).collect(Collectors.toSet());

        exporter.getEnv().forEach(e -> assertTrue(variables.contains(e.getName()), e.getName() + " is not a setting"));
        EnvVar node = exporter.getEnv().stream().filter(e -> e.getName().equals("NODE_NAME")).findFirst().orElseThrow();
        assertEquals("spec.nodeName", node.getValueFrom().getFieldRef().getFieldPath());
        assertEquals("on", env(exporter, "KUBERNETES_RESOLUTION"));
        assertEquals(Integer.parseInt(env(exporter, "METRICS_PORT")), exporter.getPorts().getFirst().getContainerPort());
        assertEquals("metrics", exporter.getPorts().getFirst().getName());
    }

    @Test
    void probesResourcesAndTolerations() throws IOException {
        Container exporter = exporter();
        PodSpec pod = daemonSet().getSpec().getTemplate().getSpec();

        for (var probe : List.of(exporter.getReadinessProbe(), exporter.getLivenessProbe())) {
            assertEquals("/healthz", probe.getHttpGet().getPath());
            assertEquals("metrics", probe.getHttpGet().getPort().getStrVal());
        }
        Map<String, Quantity> requests = exporter.getResources().getRequests();
        Map<String, Quantity> limits = exporter.getResources().getLimits();
        assertTrue(Quantity.getAmountInBytes(limits.get("memory")).compareTo(Quantity.getAmountInBytes(requests.get("memory"))) >= 0);
        assertTrue(Quantity.getAmountInBytes(limits.get("cpu")).compareTo(Quantity.getAmountInBytes(requests.get("cpu"))) >= 0);
        assertTrue(Quantity.getAmountInBytes(limits.get("memory")).longValue() >= 4L * Dockerfile.maxHeapMib() << 20,
                "the memory limit leaves room for the JVM beyond its heap");
        assertEquals("on", env(exporter, "KUBERNETES_RESOLUTION"));
        assertTrue(Dockerfile.maxHeapMib() >= 48, "the informer's pod cache needs -Xmx48m on a node with 110 pods"
                + " (benchmarks/heap-floor.sh; benchmarks/RESULTS.md, Exporter footprint)");
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null
                && t.getEffect() == null), "tolerates every taint, to run on every node");
    }

    @Test
    void rbacGrantsReadingPodsOnlyToTheDaemonSetsAccount() throws IOException {
        ServiceAccount account = read("rbac.yaml", ServiceAccount.class);
        ClusterRole role = read("rbac.yaml", ClusterRole.class);
        ClusterRoleBinding binding = read("rbac.yaml", ClusterRoleBinding.class);
        DaemonSet daemonSet = daemonSet();

        PolicyRule rule = role.getRules().getFirst();
        assertEquals(1, role.getRules().size());
        assertEquals(List.of(""), rule.getApiGroups());
        assertEquals(List.of("pods"), rule.getResources());
        assertEquals(List.of("get", "list", "watch"), rule.getVerbs());
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals(account.getMetadata().getName(), binding.getSubjects().getFirst().getName());
        assertEquals(account.getMetadata().getNamespace(), binding.getSubjects().getFirst().getNamespace());
        assertEquals(account.getMetadata().getName(), daemonSet.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertEquals(account.getMetadata().getNamespace(), daemonSet.getMetadata().getNamespace());
    }

    @Test
    void theHeadlessServiceAndTheServiceMonitorReachThePods() throws IOException {
        Service service = read("service.yaml", Service.class);
        Map<String, String> podLabels = daemonSet().getSpec().getTemplate().getMetadata().getLabels();
        JsonNode monitor = YAML.readTree(DeployFiles.kubernetes("servicemonitor.yaml").toFile());

        assertEquals("None", service.getSpec().getClusterIP());
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()));
        assertEquals("metrics", service.getSpec().getPorts().getFirst().getTargetPort().getStrVal());
        assertEquals("ServiceMonitor", monitor.get("kind").asText());
        monitor.get("spec").get("selector").get("matchLabels").properties().forEach(e ->
                assertEquals(e.getValue().asText(), service.getMetadata().getLabels().get(e.getKey())));
        JsonNode endpoint = monitor.get("spec").get("endpoints").get(0);
        assertEquals(service.getSpec().getPorts().getFirst().getName(), endpoint.get("port").asText());
        assertEquals("/metrics", endpoint.get("path").asText());
        assertTrue(endpoint.get("honorLabels").asBoolean(), "the series' own namespace, pod and container labels win");
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        JsonNode kustomization = YAML.readTree(DeployFiles.kubernetes("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        kustomization.get("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<java.nio.file.Path> files = Files.list(DeployFiles.dir().resolve("kubernetes"))) {
            assertEquals(files.map(f -> f.getFileName().toString()).filter(f -> !f.equals("kustomization.yaml"))
                    .collect(Collectors.toCollection(TreeSet::new)), listed);
        }
    }

    @Test
    void theImageBuildsWithJdk25AndRunsOnJre25WithLibbpf() throws IOException {
        String dockerfile = Dockerfile.text();

        assertTrue(dockerfile.contains("FROM eclipse-temurin:25-jdk AS build"));
        assertTrue(dockerfile.contains("install -y --no-install-recommends clang llvm libbpf-dev"));
        assertTrue(dockerfile.contains("./mvnw -B -ntp -pl examples/exporter -am package -DskipTests"));
        assertTrue(dockerfile.contains("FROM eclipse-temurin:25-jre\n"));
        assertTrue(dockerfile.contains("install -y --no-install-recommends libbpf1"));
        assertTrue(dockerfile.contains("COPY --from=build /src/examples/exporter/target/dentrywatch-exporter.jar /app/dentrywatch-exporter.jar"));
        List<String> entrypoint = Dockerfile.entrypoint();
        assertEquals("java", entrypoint.getFirst());
        assertEquals(List.of("-jar", "/app/dentrywatch-exporter.jar"), entrypoint.subList(entrypoint.size() - 2, entrypoint.size()));
        assertTrue(Dockerfile.jvmFlags().contains("-XX:+UseSerialGC"));
        assertFalse(Dockerfile.jvmFlags().contains("--enable-native-access=ALL-UNNAMED"), "the jar's manifest says it");
    }
}
