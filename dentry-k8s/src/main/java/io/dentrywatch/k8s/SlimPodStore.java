package io.dentrywatch.k8s;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The informer's store: this node's pods, each cut down to what {@link PodIndex} and {@link PodRecord} read
 * (namespace, name, UID, the mirror annotation, the node name, each container status's name and ids) plus
 * the {@code resourceVersion} the informer compares on every event. A whole pod is about 75 KB of heap.
 *
 * <p>Slim copies rather than fabric8's {@code ReducedStateItemStore}: that one keeps whole fields only (every
 * annotation, whole statuses) and converts each pod to and from Jackson maps on every put and get. Slim
 * {@code Pod}s rather than a key-only store: the informer hands stored objects to the handler for the first
 * list's adds and for the deletes a relist finds, so they must carry what the handler reads.
 *
 * <p>Keyed as fabric8's default store ({@code namespace/name}). Written by the informer's one thread at a
 * time, read concurrently.
 */
final class SlimPodStore implements ItemStore<Pod> {

    private final String nodeName;
    private final Map<String, Pod> byKey = new ConcurrentHashMap<>();

    SlimPodStore(String nodeName) {
        this.nodeName = nodeName;
    }

    /** A new pod holding only what resolution reads from {@code pod}, and its {@code resourceVersion}. */
    static Pod slim(Pod pod) {
        Pod slim = new Pod();
        slim.setApiVersion(pod.getApiVersion());
        slim.setKind(pod.getKind());
        ObjectMeta meta = pod.getMetadata();
        if (meta != null) {
            ObjectMeta kept = new ObjectMeta();
            kept.setNamespace(meta.getNamespace());
            kept.setName(meta.getName());
            kept.setUid(meta.getUid());
            kept.setResourceVersion(meta.getResourceVersion());
            String mirror = meta.getAnnotations() == null ? null : meta.getAnnotations().get(PodRecord.MIRROR_ANNOTATION);
            if (mirror != null) {
                kept.setAnnotations(Map.of(PodRecord.MIRROR_ANNOTATION, mirror));
            }
            slim.setMetadata(kept);
        }
        if (pod.getSpec() != null) {
            PodSpec spec = new PodSpec();
            spec.setNodeName(pod.getSpec().getNodeName());
            slim.setSpec(spec);
        }
        PodStatus status = pod.getStatus();
        if (status != null) {
            PodStatus kept = new PodStatus();
            kept.setContainerStatuses(slim(status.getContainerStatuses()));
            kept.setInitContainerStatuses(slim(status.getInitContainerStatuses()));
            kept.setEphemeralContainerStatuses(slim(status.getEphemeralContainerStatuses()));
            slim.setStatus(kept);
        }
        return slim;
    }

    @Override
    public String getKey(Pod pod) {
        return Cache.metaNamespaceKeyFunc(pod);
    }

    @Override
    public Pod put(String key, Pod pod) {
        if (!PodRecord.isOnNode(pod, nodeName)) {
            // the API server may ignore the field selector (mocks and some proxies do): keep no other node's pod
            return byKey.remove(key);
        }
        return byKey.put(key, slim(pod));
    }

    @Override
    public Pod remove(String key) {
        return byKey.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return byKey.keySet().stream();
    }

    @Override
    public Stream<Pod> values() {
        return byKey.values().stream();
    }

    @Override
    public int size() {
        return byKey.size();
    }

    @Override
    public Pod get(String key) {
        return byKey.get(key);
    }

    private static List<ContainerStatus> slim(List<ContainerStatus> statuses) {
        if (statuses == null || statuses.isEmpty()) {
            return List.of();
        }
        List<ContainerStatus> kept = new ArrayList<>(statuses.size());
        for (ContainerStatus status : statuses) {
            ContainerStatus container = new ContainerStatus();
            container.setName(status.getName());
            container.setContainerID(status.getContainerID());
            ContainerState last = status.getLastState();
            ContainerStateTerminated terminated = last == null ? null : last.getTerminated();
            if (terminated != null && terminated.getContainerID() != null) {
                // the previous instance's id: its cgroup may still be read once after a restart
                ContainerStateTerminated previous = new ContainerStateTerminated();
                previous.setContainerID(terminated.getContainerID());
                ContainerState lastState = new ContainerState();
                lastState.setTerminated(previous);
                container.setLastState(lastState);
            }
            kept.add(container);
        }
        return kept;
    }
}
