package io.dentrywatch.k8s;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the resolver keeps of one pod: its names and which container id is which container.
 *
 * @param namespace      the pod's namespace
 * @param name           the pod's name
 * @param uid            the pod's UID in the API
 * @param runtime        the runtime named by the containers' ids ({@code containerd}, {@code cri-o}, {@code docker}), or {@code ""}
 * @param containerNames container name by runtime container id (prefix such as {@code containerd://} stripped),
 *                       current and last terminated instances of regular, init and ephemeral containers
 * @param deleted        whether the pod is gone from the API
 * @param expiresAtNanos when a deleted pod stops resolving, on the resolver's nano clock; unused while the pod exists
 */
record PodRecord(String namespace, String name, String uid, String runtime, Map<String, String> containerNames,
                 boolean deleted, long expiresAtNanos) {

    /** The annotation by which a mirror pod names the static pod (the kubelet's UID, which cgroup paths carry). */
    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    PodRecord {
        containerNames = Map.copyOf(containerNames);
    }

    static PodRecord of(Pod pod) {
        ObjectMeta meta = pod.getMetadata();
        Map<String, String> names = new HashMap<>();
        String runtime = "";
        for (ContainerStatus container : statuses(pod.getStatus())) {
            for (String runtimeId : instanceIds(container)) {
                String id = withoutScheme(runtimeId);
                if (container.getName() != null && !id.isEmpty()) {
                    names.put(id, container.getName());
                }
                if (runtime.isEmpty()) {
                    runtime = runtimeOf(runtimeId);
                }
            }
        }
        return new PodRecord(meta.getNamespace(), meta.getName(), meta.getUid(), runtime, names, false, 0);
    }

    /** The keys a cgroup path may carry for this pod: its UID and, for a mirror pod, the static pod's UID. */
    static List<String> keys(Pod pod) {
        ObjectMeta meta = pod.getMetadata();
        List<String> keys = new ArrayList<>(2);
        keys.add(meta.getUid());
        Map<String, String> annotations = meta.getAnnotations();
        String mirror = annotations == null ? null : annotations.get(MIRROR_ANNOTATION);
        if (mirror != null && !mirror.isEmpty() && !mirror.equals(meta.getUid())) {
            keys.add(mirror);
        }
        return keys;
    }

    /** Whether the pod is bound to the node named {@code nodeName}. */
    static boolean isOnNode(Pod pod, String nodeName) {
        return pod.getSpec() != null && nodeName.equals(pod.getSpec().getNodeName());
    }

    PodRecord deleted(long expiresAtNanos) {
        return new PodRecord(namespace, name, uid, runtime, containerNames, true, expiresAtNanos);
    }

    boolean expired(long nowNanos) {
        // compared as a difference, as System.nanoTime() values may wrap
        return deleted && nowNanos - expiresAtNanos >= 0;
    }

    /** The container's name, or {@code null} when no status of this pod carries the id. */
    String containerName(String containerId) {
        return containerNames.get(containerId);
    }

    private static List<ContainerStatus> statuses(PodStatus status) {
        List<ContainerStatus> all = new ArrayList<>();
        if (status != null) {
            all.addAll(nullToEmpty(status.getContainerStatuses()));
            all.addAll(nullToEmpty(status.getInitContainerStatuses()));
            all.addAll(nullToEmpty(status.getEphemeralContainerStatuses()));
        }
        return all;
    }

    /** The current instance's id and the one before the last restart, whose cgroup may still be read once more. */
    private static List<String> instanceIds(ContainerStatus container) {
        List<String> ids = new ArrayList<>(2);
        if (container.getContainerID() != null) {
            ids.add(container.getContainerID());
        }
        ContainerState last = container.getLastState();
        ContainerStateTerminated terminated = last == null ? null : last.getTerminated();
        if (terminated != null && terminated.getContainerID() != null) {
            ids.add(terminated.getContainerID());
        }
        return ids;
    }

    private static String withoutScheme(String runtimeId) {
        int scheme = runtimeId.indexOf("://");
        return scheme < 0 ? runtimeId : runtimeId.substring(scheme + 3);
    }

    private static String runtimeOf(String runtimeId) {
        int scheme = runtimeId.indexOf("://");
        String name = scheme < 0 ? "" : runtimeId.substring(0, scheme);
        return switch (name) {
            case "containerd", "cri-o", "docker" -> name;
            default -> "";
        };
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
