package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files of deploy/kubernetes, read with fabric8's model: least privilege, and consistent with each
 * other and the exporter ({@link ManifestChecks}, which the Helm chart's renderings pass too).
 */
class ManifestsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Manifests manifests() throws IOException {
        return Manifests.deployKubernetes();
    }

    @Test
    void runsWithTheCapabilitiesItNeedsAndNothingMore() throws IOException {
        ManifestChecks.capabilities(manifests());
    }

    @Test
    void mountsTheHostPathsReadOnly() throws IOException {
        ManifestChecks.hostPaths(manifests());
    }

    @Test
    void theEnvironmentUsesTheExportersSettingsAndTheDownwardApi() throws IOException {
        ManifestChecks.environment(manifests());
        assertEquals(Optional.of("on"), manifests().env("KUBERNETES_RESOLUTION"));
    }

    @Test
    void probesResourcesAndTolerations() throws IOException {
        ManifestChecks.probesResourcesAndTolerations(manifests());
        assertTrue(Dockerfile.maxHeapMib() >= 12, "the live heap is 5.6 MiB with 110 pods and 1,000 cgroups; 12m kept every"
                + " answer in a burst of 50 scrapers, 11m did not (benchmarks/heap-floor.sh; benchmarks/RESULTS.md, Exporter footprint)");
    }

    @Test
    void theQuickStartRunsTheImagesFlagsAndEnvironment() throws IOException {
        // scripts/run-exporter.sh: "export NAME=value ..." then "exec .../java FLAGS -jar ..." over continued lines
        String script = Files.readString(DeployFiles.runExporterScript()).replace("\\\n", " ");
        String exec = script.lines().filter(l -> l.startsWith("exec ")).findFirst().orElseThrow();
        List<String> words = List.of(exec.trim().split("\\s+"));
        assertEquals(Dockerfile.jvmFlags(), words.subList(2, words.indexOf("-jar")), "scripts/run-exporter.sh's JVM flags");
        Map<String, String> exported = script.lines().filter(l -> l.startsWith("export MALLOC_"))
                .flatMap(l -> Stream.of(l.substring("export ".length()).trim().split("\\s+")))
                .collect(Collectors.toMap(w -> w.substring(0, w.indexOf('=')), w -> w.substring(w.indexOf('=') + 1)));
        assertEquals(Dockerfile.environment(), exported, "scripts/run-exporter.sh's environment");
    }

    @Test
    void rbacGrantsReadingPodsOnlyToTheDaemonSetsAccount() throws IOException {
        Manifests manifests = manifests();
        ManifestChecks.rbac(manifests);
        assertTrue(manifests.find(ServiceAccount.class).isPresent() && manifests.find(ClusterRole.class).isPresent()
                && manifests.find(ClusterRoleBinding.class).isPresent(), "the account, its role and the binding");
    }

    @Test
    void theHeadlessServiceAndTheServiceMonitorReachThePods() throws IOException {
        Manifests manifests = manifests();
        ManifestChecks.serviceAndServiceMonitor(manifests);
        assertTrue(manifests.find("ServiceMonitor").isPresent(), "a ServiceMonitor");
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
        // a fixed threshold keeps glibc from raising it, and the trim threshold, after libbpf frees the kernel's BTF
        assertEquals(Map.of("MALLOC_ARENA_MAX", "2", "MALLOC_MMAP_THRESHOLD_", "131072"), Dockerfile.environment());
        assertFalse(Dockerfile.jvmFlags().contains("--enable-native-access=ALL-UNNAMED"), "the jar's manifest says it");
    }
}
