package io.dentrywatch.k8s;

import java.util.List;
import java.util.Map;

/**
 * What the resolver keeps of one pod: its names, its node, and which container id is which container.
 *
 * @param namespace      the pod's namespace
 * @param name           the pod's name
 * @param uid            the pod's UID in the API
 * @param nodeName       the node the pod is bound to, or {@code ""} while it is unscheduled
 * @param mirrorOf       for a mirror pod, the static pod's UID (its {@value #MIRROR_ANNOTATION} annotation, which
 *                       cgroup paths carry); otherwise {@code ""}
 * @param runtime        the runtime named by the containers' ids ({@code containerd}, {@code cri-o}, {@code docker}), or {@code ""}
 * @param containerNames container name by runtime container id (prefix such as {@code containerd://} stripped),
 *                       current and last terminated instances of regular, init and ephemeral containers
 * @param deleted        whether the pod is gone from the API
 * @param expiresAtNanos when a deleted pod stops resolving, on the resolver's nano clock; unused while the pod exists
 */
record PodRecord(String namespace, String name, String uid, String nodeName, String mirrorOf, String runtime,
                 Map<String, String> containerNames, boolean deleted, long expiresAtNanos) {

    /** The annotation by which a mirror pod names the static pod (the kubelet's UID, which cgroup paths carry). */
    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    PodRecord {
        containerNames = Map.copyOf(containerNames);
    }

    /**
     * A live pod from what its JSON says.
     *
     * @param runtimeIds the runtime ids of its container instances ({@code containerd://<id>}), each with the
     *                   container's name, in status order
     */
    static PodRecord of(String namespace, String name, String uid, String nodeName, String mirrorOf,
                        List<Map.Entry<String, String>> runtimeIds) {
        Map<String, String> names = new java.util.HashMap<>();
        String runtime = "";
        for (Map.Entry<String, String> instance : runtimeIds) {
            String id = withoutScheme(instance.getKey());
            if (!id.isEmpty()) {
                names.put(id, instance.getValue());
            }
            if (runtime.isEmpty()) {
                runtime = runtimeOf(instance.getKey());
            }
        }
        String mirror = mirrorOf == null || mirrorOf.equals(uid) ? "" : mirrorOf;
        return new PodRecord(nullToEmpty(namespace), nullToEmpty(name), uid, nullToEmpty(nodeName), mirror, runtime,
                names, false, 0);
    }

    /** The keys a cgroup path may carry for this pod: its UID and, for a mirror pod, the static pod's UID. */
    List<String> keys() {
        return mirrorOf.isEmpty() ? List.of(uid) : List.of(uid, mirrorOf);
    }

    /** Whether the pod is bound to the node named {@code node}. */
    boolean isOnNode(String node) {
        return nodeName.equals(node);
    }

    PodRecord deleted(long expiresAtNanos) {
        return new PodRecord(namespace, name, uid, nodeName, mirrorOf, runtime, containerNames, true, expiresAtNanos);
    }

    boolean expired(long nowNanos) {
        // compared as a difference, as System.nanoTime() values may wrap
        return deleted && nowNanos - expiresAtNanos >= 0;
    }

    /** The container's name, or {@code null} when no status of this pod carries the id. */
    String containerName(String containerId) {
        return containerNames.get(containerId);
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

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
