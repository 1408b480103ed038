package io.dentrywatch.cgroup;

import java.util.Objects;

/**
 * Who a cgroup belongs to, in the terms an operator acts on: namespace, pod and container.
 *
 * <p>For a cgroup that is not part of a pod, {@code namespace} and {@code pod} are empty and
 * {@code container} is its systemd unit (for example {@code mariadb.service}) or its cgroup path,
 * so every metric keeps the same label names. Fields that are not known are empty strings, never
 * {@code null}.
 *
 * @param namespace   the pod's namespace, or {@code ""}
 * @param pod         the pod's name, or {@code ""}
 * @param container   the container's name, a systemd unit, or a cgroup path
 * @param podUid      the pod UID with dashes (as Kubernetes prints it), or {@code ""}
 * @param containerId the container runtime's id (64 hex digits for containerd, CRI-O and Docker), or {@code ""}
 * @param runtime     {@code containerd}, {@code cri-o}, {@code docker}, or {@code ""}
 * @param qos         the pod's QoS class as the cgroup layout shows it
 */
public record ContainerIdentity(
        String namespace, String pod, String container, String podUid, String containerId, String runtime, QosClass qos) {

    /** The Kubernetes QoS class of a pod, as its cgroup parent shows it; {@link #NONE} outside pods. */
    public enum QosClass { GUARANTEED, BURSTABLE, BEST_EFFORT, NONE }

    public ContainerIdentity {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(qos, "qos");
    }

    /** An identity for a cgroup outside any pod: empty namespace and pod, {@code container} as given. */
    public static ContainerIdentity nonPod(String container) {
        return new ContainerIdentity("", "", container, "", "", "", QosClass.NONE);
    }

    /** Whether this cgroup belongs to a Kubernetes pod. */
    public boolean isPod() {
        return !podUid.isEmpty();
    }
}
