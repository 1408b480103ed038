package io.dentrywatch.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The pods of one node by UID, fed by the informer: with whole pods from the watch, and with the slim
 * copies of {@link SlimPodStore} for the first list's adds and a relist's deletes. Deleted pods stay, marked, for a grace period
 * so the last samples of their cgroups still get names; expired ones are dropped on the next event.
 * Lookups are lock-free and allocation-free.
 */
final class PodIndex implements ResourceEventHandler<Pod> {

    private final String nodeName;
    private final long graceNanos;
    private final LongSupplier nanoClock;
    private final InformerHealth health;
    private final Map<String, PodRecord> byUid = new ConcurrentHashMap<>();

    PodIndex(String nodeName, long graceNanos, LongSupplier nanoClock, InformerHealth health) {
        this.nodeName = nodeName;
        this.graceNanos = graceNanos;
        this.nanoClock = nanoClock;
        this.health = health;
    }

    /**
     * The pod a cgroup path's UID names: its UID, or a static pod's UID for its mirror pod.
     *
     * @return the pod, live or deleted within its grace period; {@code null} if unknown or expired
     */
    PodRecord current(String pathUid) {
        PodRecord pod = byUid.get(pathUid);
        if (pod != null && pod.deleted() && pod.expired(nanoClock.getAsLong())) {
            return null;
        }
        return pod;
    }

    @Override
    public void onAdd(Pod pod) {
        upsert(pod);
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
        upsert(newPod);
    }

    @Override
    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
        dropExpired();
        if (isOnThisNode(pod)) {
            markDeleted(pod);
        }
    }

    @Override
    public void onList(String resourceVersion, boolean remainedEmpty) {
        health.synced();
    }

    private void upsert(Pod pod) {
        dropExpired();
        if (pod.getMetadata() == null || pod.getMetadata().getUid() == null) {
            return;
        }
        if (!isOnThisNode(pod)) {
            // the API server may ignore the field selector (mocks and some proxies do): filter here too
            if (byUid.containsKey(pod.getMetadata().getUid())) {
                markDeleted(pod);
            }
            return;
        }
        PodRecord record = PodRecord.of(pod);
        for (String key : PodRecord.keys(pod)) {
            byUid.put(key, record);
        }
    }

    private void markDeleted(Pod pod) {
        if (pod.getMetadata() == null || pod.getMetadata().getUid() == null) {
            return;
        }
        PodRecord deleted = PodRecord.of(pod).deleted(nanoClock.getAsLong() + graceNanos);
        for (String key : PodRecord.keys(pod)) {
            // a static pod's key may already name a newer mirror pod: leave that one alone
            byUid.compute(key, (k, known) -> known == null || known.uid().equals(deleted.uid()) ? deleted : known);
        }
    }

    private void dropExpired() {
        long now = nanoClock.getAsLong();
        byUid.values().removeIf(pod -> pod.expired(now));
    }

    private boolean isOnThisNode(Pod pod) {
        return PodRecord.isOnNode(pod, nodeName);
    }
}
