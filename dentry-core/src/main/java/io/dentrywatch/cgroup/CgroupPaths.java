package io.dentrywatch.cgroup;

import io.dentrywatch.cgroup.ContainerIdentity.QosClass;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads who a cgroup belongs to from its path alone: pod UID, container id, container runtime and
 * QoS class for Kubernetes pods, the systemd unit or the path for everything else.
 *
 * <p>Understood layouts, identical under cgroup v1 (paths relative to the memory hierarchy) and v2:
 * <ul>
 *   <li>kubelet's systemd driver: {@code /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/cri-containerd-<id>.scope},
 *       with {@code _} in place of {@code -} in the UID, guaranteed pods directly under {@code kubepods.slice}
 *       ({@code kubepods-pod<uid>.slice}), and any prefix a custom {@code --cgroup-root} adds
 *       ({@code kubelet-kubepods-...}, as kind does);</li>
 *   <li>kubelet's cgroupfs driver: {@code /kubepods/burstable/pod<uid>/<id>}, guaranteed pods as {@code /kubepods/pod<uid>/<id>};</li>
 *   <li>container scopes of containerd ({@code cri-containerd-<id>}), CRI-O ({@code crio-<id>}, {@code crio-conmon-<id>})
 *       and Docker ({@code docker-<id>}); under cgroupfs a bare 64-hex directory is a container of an unknown runtime.
 *       Cgroups below a container's (such as CRI-O's {@code crio-<id>.scope/container}) belong to that container.</li>
 * </ul>
 *
 * <p>The sandbox (pause) container looks like any other container in its path; only the API
 * server can tell it apart. Static pods carry the kubelet's config hash (32 hex digits) as their
 * UID in the path.
 *
 * <p>Labels, since the path holds no names: a pod cgroup gets {@code namespace=""},
 * {@code pod=}<i>the pod UID</i> and {@code container=}<i>the container id</i> ({@code ""} for the
 * pod's own cgroup). A cgroup outside any pod gets {@code namespace=""}, {@code pod=""} and
 * {@code container=} its deepest systemd unit ({@code /system.slice/mariadb.service} →
 * {@code mariadb.service}) or, when no component is a unit, its path ({@code /docker/<id>}, {@code /}).
 */
public final class CgroupPaths {

    private static final String SCOPE = ".scope";
    private static final String[] UNIT_SUFFIXES = {".service", ".scope", ".slice", ".socket", ".mount", ".swap"};

    // kubepods[-burstable|-besteffort]-pod<uid>.slice, optionally prefixed by a custom cgroup root ("kubelet-")
    private static final Pattern SYSTEMD_POD =
            Pattern.compile("(?:[a-z0-9_.-]+-)?kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]+)\\.slice");
    private static final Pattern CGROUPFS_POD = Pattern.compile("pod([0-9a-f-]+)");
    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");

    private CgroupPaths() {
    }

    /**
     * Parses one cgroup path.
     *
     * @param cgroupPath the path relative to the cgroup hierarchy root, starting with {@code /}
     *                   (an empty path is taken as the root)
     * @return the identity, labelled as described on this class; never {@code null}
     */
    public static ContainerIdentity parse(String cgroupPath) {
        Objects.requireNonNull(cgroupPath, "cgroupPath");
        String path = cgroupPath.isEmpty() ? "/" : cgroupPath;
        String[] parts = components(path);
        for (int i = 0; i < parts.length; i++) {
            PodCgroup pod = podCgroup(parts, i);
            if (pod != null) {
                return podIdentity(pod, i + 1 < parts.length ? parts[i + 1] : null);
            }
        }
        return nonPodIdentity(path, parts);
    }

    /** A pod's own cgroup: its UID (with dashes) and QoS class. */
    private record PodCgroup(String uid, QosClass qos) {
    }

    /** A container's cgroup directory, split into runtime and id; {@code id} is empty when not recognised. */
    private record ContainerDir(String runtime, String id) {
        static final ContainerDir UNKNOWN = new ContainerDir("", "");
    }

    private static String[] components(String path) {
        String trimmed = path;
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/+");
    }

    private static PodCgroup podCgroup(String[] parts, int index) {
        String part = parts[index];
        Matcher systemd = SYSTEMD_POD.matcher(part);
        if (systemd.matches()) {
            // systemd escapes "-" in unit names, so kubelet writes the UID with "_"
            return new PodCgroup(systemd.group(2).replace('_', '-'), qos(systemd.group(1)));
        }
        Matcher cgroupfs = CGROUPFS_POD.matcher(part);
        if (cgroupfs.matches() && index > 0) {
            String parent = parts[index - 1];
            if (parent.equals("kubepods")) {
                return new PodCgroup(cgroupfs.group(1), QosClass.GUARANTEED);
            }
            if (index > 1 && parts[index - 2].equals("kubepods")
                    && (parent.equals("burstable") || parent.equals("besteffort"))) {
                return new PodCgroup(cgroupfs.group(1), qos(parent));
            }
        }
        return null;
    }

    private static QosClass qos(String qosComponent) {
        if (qosComponent == null) {
            return QosClass.GUARANTEED;
        }
        return qosComponent.equals("burstable") ? QosClass.BURSTABLE : QosClass.BEST_EFFORT;
    }

    private static ContainerIdentity podIdentity(PodCgroup pod, String child) {
        if (child == null) {
            return new ContainerIdentity("", pod.uid(), "", pod.uid(), "", "", pod.qos());
        }
        ContainerDir dir = containerDir(child, true);
        // an unrecognised child of a pod keeps its own name, so it never merges with a real container
        String container = dir.id().isEmpty() ? child : dir.id();
        return new ContainerIdentity("", pod.uid(), container, pod.uid(), dir.id(), dir.runtime(), pod.qos());
    }

    private static ContainerDir containerDir(String component, boolean bareIdIsContainer) {
        String name = component.endsWith(SCOPE) ? component.substring(0, component.length() - SCOPE.length()) : component;
        if (name.startsWith("cri-containerd-")) {
            return containerId("containerd", name.substring("cri-containerd-".length()));
        }
        if (name.startsWith("crio-conmon-")) {
            return containerId("cri-o", name.substring("crio-conmon-".length()));
        }
        if (name.startsWith("crio-")) {
            return containerId("cri-o", name.substring("crio-".length()));
        }
        if (name.startsWith("docker-")) {
            return containerId("docker", name.substring("docker-".length()));
        }
        if (bareIdIsContainer && name.equals(component)) {
            // the cgroupfs driver names the directory by the bare id, whatever the runtime
            return containerId("", name);
        }
        return ContainerDir.UNKNOWN;
    }

    private static ContainerDir containerId(String runtime, String id) {
        return CONTAINER_ID.matcher(id).matches() ? new ContainerDir(runtime, id) : ContainerDir.UNKNOWN;
    }

    private static ContainerIdentity nonPodIdentity(String path, String[] parts) {
        for (int i = parts.length - 1; i >= 0; i--) {
            if (isUnit(parts[i])) {
                ContainerDir dir = containerDir(parts[i], false);
                return new ContainerIdentity("", "", parts[i], "", dir.id(), dir.runtime(), QosClass.NONE);
            }
        }
        if (parts.length == 2 && parts[0].equals("docker")) {
            // Docker's cgroupfs driver outside Kubernetes: /docker/<id>
            ContainerDir dir = containerId("docker", parts[1]);
            return new ContainerIdentity("", "", path, "", dir.id(), dir.runtime(), QosClass.NONE);
        }
        return ContainerIdentity.nonPod(path);
    }

    private static boolean isUnit(String component) {
        for (String suffix : UNIT_SUFFIXES) {
            if (component.endsWith(suffix) && component.length() > suffix.length()) {
                return true;
            }
        }
        return false;
    }
}
