package io.dentrywatch.k8s;

import io.dentrywatch.cgroup.CgroupIdCache;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A resolver for {@link TestPods#NODE} wired as {@link KubernetesContainerResolver.Builder#build()} wires it, on
 * collaborators the test keeps hold of: the pod index to wait for events and check what is indexed, the informer's
 * store to check what is kept of each pod, the cgroup cache to check its bound.
 *
 * @param resolver the resolver, not started; closed with this
 * @param pods     the index its informer feeds
 * @param store    its informer's store
 * @param cache    its cgroup cache
 */
record WiredResolver(KubernetesContainerResolver resolver, PodIndex pods, SlimPodStore store,
        CgroupIdCache<KubernetesContainerResolver.Resolved> cache) implements AutoCloseable {

    /** The builder's default cache bound. */
    private static final int DEFAULT_MAX_CACHED_CGROUPS = 16_384;

    /** On the caller's client, with the builder's defaults: deleted pods expire on the system clock. */
    static WiredResolver on(KubernetesClient client) {
        return on(client, KubernetesContainerResolver.DEFAULT_DELETED_POD_GRACE, System::nanoTime, DEFAULT_MAX_CACHED_CGROUPS);
    }

    /** On the caller's client, deleted pods expiring on {@code nanoClock} after {@code grace}. */
    static WiredResolver on(KubernetesClient client, Duration grace, LongSupplier nanoClock) {
        return on(client, grace, nanoClock, DEFAULT_MAX_CACHED_CGROUPS);
    }

    /** On the caller's client, with a chosen cache bound and the builder's default grace. */
    static WiredResolver on(KubernetesClient client, int maxCachedCgroups) {
        return on(client, KubernetesContainerResolver.DEFAULT_DELETED_POD_GRACE, System::nanoTime, maxCachedCgroups);
    }

    private static WiredResolver on(KubernetesClient client, Duration grace, LongSupplier nanoClock, int maxCachedCgroups) {
        InformerHealth health = new InformerHealth(TestPods.NODE);
        PodIndex pods = new PodIndex(TestPods.NODE, grace.toNanos(), nanoClock, health);
        SlimPodStore store = new SlimPodStore(TestPods.NODE);
        CgroupIdCache<KubernetesContainerResolver.Resolved> cache = new CgroupIdCache<>(maxCachedCgroups);
        return new WiredResolver(new KubernetesContainerResolver(client, TestPods.NODE, health, pods, store, cache),
                pods, store, cache);
    }

    /** Closes the resolver. */
    @Override
    public void close() {
        resolver.close();
    }
}
