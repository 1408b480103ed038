package io.dentrywatch.k8s;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Pods and cgroup paths as a kubelet on a real node makes them. */
final class TestPods {

    static final String NODE = "node-a";
    static final String OTHER_NODE = "node-b";

    private TestPods() {
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
