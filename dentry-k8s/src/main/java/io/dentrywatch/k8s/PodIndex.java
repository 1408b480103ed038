package io.dentrywatch.k8s;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The pods of one node by UID (and a mirror pod also by its static pod's UID), fed by {@link PodWatch}'s lists
 * and events. Deleted pods stay, marked, for a grace period so the last samples of their cgroups still get
 * names; expired ones are dropped on the next change. Written by the watch's one thread; lookups are
 * lock-free and allocation-free.
 */
final class PodIndex {

    private final String nodeName;
    private final long graceNanos;
    private final LongSupplier nanoClock;
    private final Map<String, PodRecord> byUid = new ConcurrentHashMap<>();

    PodIndex(String nodeName, long graceNanos, LongSupplier nanoClock) {
        this.nodeName = nodeName;
        this.graceNanos = graceNanos;
        this.nanoClock = nanoClock;
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

    /** A pod was added or changed. */
    void upsert(PodRecord pod) {
        dropExpired();
        put(pod);
    }

    private void put(PodRecord pod) {
        if (!pod.isOnNode(nodeName)) {
            // the API server may ignore the field selector (mocks and some proxies do): filter here too
            if (byUid.containsKey(pod.uid())) {
                markDeleted(pod);
            }
            return;
        }
        for (String key : pod.keys()) {
            byUid.put(key, pod);
        }
    }

    /** A pod was deleted. */
    void delete(PodRecord pod) {
        dropExpired();
        if (pod.isOnNode(nodeName)) {
            markDeleted(pod);
        }
    }

    /** A new list: its pods replace what was known, and pods it lacks were deleted while unwatched. */
    void replaceAll(Collection<PodRecord> listed) {
        dropExpired();
        Set<String> present = new HashSet<>();
        for (PodRecord pod : listed) {
            put(pod);
            if (pod.isOnNode(nodeName)) {
                present.add(pod.uid());
            }
        }
        for (PodRecord known : Set.copyOf(byUid.values())) {
            if (!known.deleted() && !present.contains(known.uid())) {
                markDeleted(known);
            }
        }
    }

    private void markDeleted(PodRecord pod) {
        PodRecord deleted = pod.deleted(nanoClock.getAsLong() + graceNanos);
        for (String key : pod.keys()) {
            // a static pod's key may already name a newer mirror pod: leave that one alone
            byUid.compute(key, (k, known) -> known == null || known.uid().equals(deleted.uid()) ? deleted : known);
        }
    }

    private void dropExpired() {
        long now = nanoClock.getAsLong();
        byUid.values().removeIf(pod -> pod.expired(now));
    }
}
