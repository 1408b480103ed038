package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
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

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks every rendering of the exporter's manifests must pass, whatever its source (the files of
 * {@code deploy/kubernetes}, {@code kubectl kustomize}, {@code helm template} with any values): least
 * privilege, read-only host paths, probes, RBAC, every environment variable a real setting.
 */
final class ManifestChecks {

    private ManifestChecks() {
    }

    /** All of them. */
    static void all(Manifests manifests) throws IOException {
        capabilities(manifests);
        hostPaths(manifests);
        environment(manifests);
        probesResourcesAndTolerations(manifests);
        rbac(manifests);
        serviceAndServiceMonitor(manifests);
    }

    static void capabilities(Manifests manifests) {
        PodSpec pod = manifests.daemonSet().getSpec().getTemplate().getSpec();
        SecurityContext security = manifests.exporter().getSecurityContext();
        String in = manifests.source() + ": ";

        assertNotEquals(Boolean.TRUE, security.getPrivileged(), in + "privileged");
        assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation(), in + "allowPrivilegeEscalation");
        assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem(), in + "readOnlyRootFilesystem");
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop(), in + "capabilities dropped");
        assertEquals(List.of("BPF", "PERFMON", "SYS_RESOURCE", "SYSLOG"), security.getCapabilities().getAdd(),
                in + "capabilities added");
        assertEquals(0L, security.getRunAsUser(), in + "capabilities added by Kubernetes are effective for uid 0 only");
        assertNotEquals(Boolean.TRUE, pod.getHostPID(), in + "hostPID");
        assertNotEquals(Boolean.TRUE, pod.getHostNetwork(), in + "hostNetwork");
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), in + "seccomp");
    }

    static void hostPaths(Manifests manifests) {
        PodSpec pod = manifests.daemonSet().getSpec().getTemplate().getSpec();
        Container exporter = manifests.exporter();
        Map<String, String> hostPaths = pod.getVolumes().stream().filter(v -> v.getHostPath() != null)
                .collect(Collectors.toMap(Volume::getName, v -> v.getHostPath().getPath()));
        Map<String, VolumeMount> mounts = exporter.getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getName, m -> m));

        assertEquals(Set.of("/sys/fs/cgroup", "/sys/kernel/tracing", "/sys/kernel/btf", "/proc"),
                Set.copyOf(hostPaths.values()), manifests.source());
        hostPaths.keySet().forEach(name -> assertEquals(Boolean.TRUE, mounts.get(name).getReadOnly(),
                manifests.source() + ": " + name + " is mounted read-only"));
        String procMount = mounts.get(hostPaths.entrySet().stream().filter(e -> e.getValue().equals("/proc"))
                .findFirst().orElseThrow().getKey()).getMountPath();
        assertEquals(Optional.of(procMount), manifests.env("PROC_ROOT"), manifests.source());
    }

    static void environment(Manifests manifests) {
        Container exporter = manifests.exporter();
        Set<String> variables = Arrays.stream(Setting.values()).map(Setting::variable).collect(Collectors.toSet());

        exporter.getEnv().forEach(e -> assertTrue(variables.contains(e.getName()),
                manifests.source() + ": " + e.getName() + " is not a setting"));
        assertEquals(exporter.getEnv().size(), exporter.getEnv().stream().map(EnvVar::getName).distinct().count(),
                manifests.source() + ": a variable set twice");
        EnvVar node = exporter.getEnv().stream().filter(e -> e.getName().equals("NODE_NAME")).findFirst().orElseThrow();
        assertEquals("spec.nodeName", node.getValueFrom().getFieldRef().getFieldPath(), manifests.source());
        int port = Integer.parseInt(manifests.env("METRICS_PORT").orElseThrow(() -> new AssertionError("no METRICS_PORT")));
        assertEquals(port, exporter.getPorts().getFirst().getContainerPort(), manifests.source());
        assertEquals("metrics", exporter.getPorts().getFirst().getName(), manifests.source());
    }

    static void probesResourcesAndTolerations(Manifests manifests) throws IOException {
        Container exporter = manifests.exporter();
        PodSpec pod = manifests.daemonSet().getSpec().getTemplate().getSpec();
        String in = manifests.source() + ": ";

        for (var probe : List.of(exporter.getReadinessProbe(), exporter.getLivenessProbe())) {
            assertEquals("/healthz", probe.getHttpGet().getPath(), in + "probe path");
            assertEquals("metrics", probe.getHttpGet().getPort().getStrVal(), in + "probe port");
        }
        Map<String, Quantity> requests = exporter.getResources().getRequests();
        Map<String, Quantity> limits = exporter.getResources().getLimits();
        assertTrue(requests.containsKey("memory") && limits.containsKey("memory"), in + "a memory request and limit");
        assertTrue(Quantity.getAmountInBytes(limits.get("memory")).compareTo(Quantity.getAmountInBytes(requests.get("memory"))) >= 0,
                in + "memory limit below the request");
        if (limits.containsKey("cpu") && requests.containsKey("cpu")) {
            assertTrue(Quantity.getAmountInBytes(limits.get("cpu")).compareTo(Quantity.getAmountInBytes(requests.get("cpu"))) >= 0,
                    in + "cpu limit below the request");
        }
        assertTrue(Quantity.getAmountInBytes(limits.get("memory")).longValue() >= 4L * Dockerfile.maxHeapMib() << 20,
                in + "the memory limit leaves room for the JVM beyond its heap");
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null
                && t.getEffect() == null), in + "tolerates every taint, to run on every node");
    }

    /**
     * The pod's account may read pods and nothing else; with Kubernetes resolution on, the objects that
     * grant it are there.
     */
    static void rbac(Manifests manifests) {
        DaemonSet daemonSet = manifests.daemonSet();
        String accountName = daemonSet.getSpec().getTemplate().getSpec().getServiceAccountName();
        Optional<ServiceAccount> account = manifests.find(ServiceAccount.class);
        Optional<ClusterRole> role = manifests.find(ClusterRole.class);
        Optional<ClusterRoleBinding> binding = manifests.find(ClusterRoleBinding.class);
        String in = manifests.source() + ": ";

        assertEquals(role.isPresent(), binding.isPresent(), in + "a ClusterRole comes with its binding");
        assertTrue(manifests.all("Role").isEmpty() && manifests.all("RoleBinding").isEmpty(), in + "no other grants");
        if (!"off".equals(manifests.env("KUBERNETES_RESOLUTION").orElse("auto"))) {
            assertTrue(role.isPresent(), in + "Kubernetes resolution needs the pod-reading role");
        }
        account.ifPresent(a -> {
            assertEquals(a.getMetadata().getName(), accountName, in + "the DaemonSet runs as the account");
            assertEquals(a.getMetadata().getNamespace(), daemonSet.getMetadata().getNamespace(), in + "account namespace");
        });
        role.ifPresent(r -> {
            PolicyRule rule = r.getRules().getFirst();
            assertEquals(1, r.getRules().size(), in + "one rule");
            assertEquals(List.of(""), rule.getApiGroups(), in + "core API group");
            assertEquals(List.of("pods"), rule.getResources(), in + "pods only");
            assertEquals(List.of("get", "list", "watch"), rule.getVerbs(), in + "reading only");
            assertEquals(r.getMetadata().getName(), binding.orElseThrow().getRoleRef().getName(), in + "role bound");
            assertEquals(1, binding.orElseThrow().getSubjects().size(), in + "one subject");
            assertEquals(accountName, binding.orElseThrow().getSubjects().getFirst().getName(), in + "bound to the pod's account");
            assertEquals(daemonSet.getMetadata().getNamespace(), binding.orElseThrow().getSubjects().getFirst().getNamespace(),
                    in + "bound in the DaemonSet's namespace");
        });
    }

    static void serviceAndServiceMonitor(Manifests manifests) {
        Service service = manifests.one(Service.class);
        DaemonSet daemonSet = manifests.daemonSet();
        Map<String, String> podLabels = daemonSet.getSpec().getTemplate().getMetadata().getLabels();
        String in = manifests.source() + ": ";

        assertEquals("None", service.getSpec().getClusterIP(), in + "headless");
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()), in + "the Service selects the pods");
        assertTrue(podLabels.entrySet().containsAll(daemonSet.getSpec().getSelector().getMatchLabels().entrySet()),
                in + "the DaemonSet selects its pods");
        assertEquals("metrics", service.getSpec().getPorts().getFirst().getTargetPort().getStrVal(), in + "target port");
        manifests.find("ServiceMonitor").ifPresent(monitor -> {
            monitor.get("spec").get("selector").get("matchLabels").properties().forEach(e ->
                    assertEquals(e.getValue().asText(), service.getMetadata().getLabels().get(e.getKey()),
                            in + "the ServiceMonitor selects the Service"));
            JsonNode namespaces = monitor.get("spec").get("namespaceSelector").get("matchNames");
            assertEquals(service.getMetadata().getNamespace(), namespaces.get(0).asText(), in + "ServiceMonitor namespace");
            JsonNode endpoint = monitor.get("spec").get("endpoints").get(0);
            assertEquals(service.getSpec().getPorts().getFirst().getName(), endpoint.get("port").asText(), in + "endpoint port");
            assertEquals("/metrics", endpoint.get("path").asText(), in + "endpoint path");
            assertTrue(endpoint.get("honorLabels").asBoolean(), in + "the series' own namespace, pod and container labels win");
        });
    }
}
