package io.dentrywatch.k8s;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Pods and cgroup paths as a kubelet on a real node makes them. */
final class TestPods {

    static final String NODE = "node-a";
    static final String OTHER_NODE = "node-b";

    private TestPods() {
    }

    /** A pod as the API server writes it: fabric8's model serialized. */
    static String json(Object podOrList) {
        return new KubernetesSerialization().asJson(podOrList);
    }

    /** What the resolver reads of a pod, through its JSON: {@link PodJson}, as lists and watches are read. */
    static PodRecord read(Pod pod) {
        String event = "{\"type\": \"ADDED\", \"object\": " + json(pod) + "}";
        try (JsonParser parser = new JsonFactory().createParser(event)) {
            return PodJson.event(parser).pod();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the resolver should keep of a pod, computed from fabric8's model (an oracle independent of
     * {@link PodJson}): names, node, mirror annotation, and each container status's current and previous id.
     */
    static PodRecord expected(Pod pod) {
        List<Map.Entry<String, String>> ids = new ArrayList<>();
        PodStatus status = pod.getStatus();
        List<ContainerStatus> all = new ArrayList<>();
        if (status != null) {
            for (List<ContainerStatus> kind : java.util.Arrays.asList(status.getContainerStatuses(),
                    status.getInitContainerStatuses(), status.getEphemeralContainerStatuses())) {
                if (kind != null) {
                    all.addAll(kind);
                }
            }
        }
        for (ContainerStatus container : all) {
            if (container.getName() == null) {
                continue;
            }
            if (container.getContainerID() != null) {
                ids.add(new SimpleImmutableEntry<>(container.getContainerID(), container.getName()));
            }
            if (container.getLastState() != null && container.getLastState().getTerminated() != null
                    && container.getLastState().getTerminated().getContainerID() != null) {
                ids.add(new SimpleImmutableEntry<>(container.getLastState().getTerminated().getContainerID(), container.getName()));
            }
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return PodRecord.of(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid(),
                pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
                annotations == null ? null : annotations.get(PodRecord.MIRROR_ANNOTATION), ids);
    }

    /** A 64-hex container id, as containerd, CRI-O and Docker make them, derived from a seed. */
    static String containerId(String seed) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static ContainerStatus running(String name, String runtimeId) {
        return new ContainerStatusBuilder().withName(name).withContainerID(runtimeId).withReady(true).withRestartCount(0)
                .withNewState().withNewRunning().withStartedAt("2026-11-21T09:00:00Z").endRunning().endState()
                .build();
    }

    static ContainerStatus restarted(String name, String runtimeId, String previousRuntimeId, int restarts) {
        return new ContainerStatusBuilder().withName(name).withContainerID(runtimeId).withReady(true).withRestartCount(restarts)
                .withNewState().withNewRunning().withStartedAt("2026-11-21T09:05:00Z").endRunning().endState()
                .withNewLastState().withNewTerminated().withContainerID(previousRuntimeId).withExitCode(137)
                .withReason("OOMKilled").endTerminated().endLastState()
                .build();
    }

    static ContainerStatus completed(String name, String runtimeId) {
        return new ContainerStatusBuilder().withName(name).withContainerID(runtimeId).withReady(false).withRestartCount(0)
                .withNewState().withNewTerminated().withContainerID(runtimeId).withExitCode(0).withReason("Completed")
                .endTerminated().endState()
                .build();
    }

    static ContainerStatus creating(String name) {
        return new ContainerStatusBuilder().withName(name).withReady(false).withRestartCount(0)
                .withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState()
                .build();
    }

    static Pod pod(String namespace, String name, String node, List<ContainerStatus> containers) {
        return pod(namespace, name, node, Map.of(), containers, List.of(), List.of());
    }

    static Pod pod(String namespace, String name, String node, Map<String, String> annotations,
                   List<ContainerStatus> containers, List<ContainerStatus> initContainers,
                   List<ContainerStatus> ephemeralContainers) {
        PodBuilder pod = new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase("Running").withQosClass("Burstable")
                .withContainerStatuses(containers)
                .withInitContainerStatuses(initContainers)
                .withEphemeralContainerStatuses(ephemeralContainers)
                .endStatus();
        for (ContainerStatus container : containers) {
            pod.editSpec().addNewContainer().withName(container.getName()).withImage("registry.example/" + container.getName())
                    .endContainer().endSpec();
        }
        return pod.build();
    }

    /**
     * A pod as heavy as real ones are: labels, a last-applied-configuration annotation, managedFields, an
     * owner, containers with environment, probes' worth of spec, volumes, tolerations, conditions and IPs.
     */
    static Pod heavy(String namespace, String name, String node, Map<String, String> annotations, List<ContainerStatus> containers) {
        Map<String, String> allAnnotations = new java.util.LinkedHashMap<>(annotations);
        allAnnotations.put("kubectl.kubernetes.io/last-applied-configuration", "{\"spec\":\"" + "x".repeat(4_000) + "\"}");
        allAnnotations.put("prometheus.io/scrape", "true");
        PodBuilder pod = new PodBuilder(pod(namespace, name, node, allAnnotations, containers, List.of(), List.of()))
                .editMetadata()
                .withLabels(Map.of("app.kubernetes.io/name", name, "pod-template-hash", "7d9f8c6b5", "team", "shop"))
                .addNewManagedField().withManager("kubelet").withOperation("Update").withApiVersion("v1")
                .withFieldsType("FieldsV1").withSubresource("status").endManagedField()
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(name + "-rs")
                .withUid("0b1c2d3e-0000-4000-8000-00000000abcd").withController(true).endOwnerReference()
                .endMetadata()
                .editSpec()
                .withServiceAccountName("default").withRestartPolicy("Always")
                .addNewVolume().withName("config").withNewConfigMap().withName(name + "-config").endConfigMap().endVolume()
                .addNewToleration().withKey("node.kubernetes.io/not-ready").withOperator("Exists").withEffect("NoExecute")
                .endToleration()
                .endSpec()
                .editStatus()
                .withPodIP("10.244.1.7").withHostIP("10.0.0.5").withStartTime("2026-11-21T09:00:00Z")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus();
        for (int c = 0; c < containers.size(); c++) {
            pod.editSpec().editContainer(c)
                    .addNewEnv().withName("CONFIG").withValue("y".repeat(2_000)).endEnv()
                    .addNewPort().withContainerPort(8080).withName("http").endPort()
                    .endContainer().endSpec();
        }
        return pod.build();
    }

    /** The systemd driver's path of a burstable pod's container scope, e.g. {@code cri-containerd-<id>.scope}. */
    static String burstableScope(String podUid, String scopePrefix, String containerId) {
        return burstablePodSlice(podUid) + "/" + scopePrefix + containerId + ".scope";
    }

    static String burstablePodSlice(String podUid) {
        return "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + podUid.replace('-', '_') + ".slice";
    }

    /** The cgroupfs driver's path of a besteffort pod's container: a bare id. */
    static String besteffortCgroupfs(String podUid, String containerId) {
        return "/kubepods/besteffort/pod" + podUid + "/" + containerId;
    }
}
