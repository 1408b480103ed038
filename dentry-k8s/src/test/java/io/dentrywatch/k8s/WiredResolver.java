package io.dentrywatch.k8s;

import io.dentrywatch.cgroup.CgroupIdCache;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A resolver for {@link TestPods#NODE} wired as {@link KubernetesContainerResolver.Builder#build()} wires it, on
 * collaborators the test keeps hold of: the pod index to wait for events and check what is indexed, the cgroup
 * cache to check its bound.
 *
 * @param resolver the resolver, not started; closed with this
 * @param pods     the index its watch feeds
 * @param cache    its cgroup cache
 */
record WiredResolver(KubernetesContainerResolver resolver, PodIndex pods,
        CgroupIdCache<KubernetesContainerResolver.Resolved> cache) implements AutoCloseable {

    /** The builder's default cache bound. */
    private static final int DEFAULT_MAX_CACHED_CGROUPS = 16_384;
    /** No service account: plain HTTP, no token. */
    private static final Path NO_SERVICE_ACCOUNT = Path.of("/nonexistent/serviceaccount");

    /** On the API server at {@code api}, with the builder's defaults: deleted pods expire on the system clock. */
    static WiredResolver on(URI api) {
        return on(api, KubernetesContainerResolver.DEFAULT_DELETED_POD_GRACE, System::nanoTime, DEFAULT_MAX_CACHED_CGROUPS);
    }

    /** On the API server at {@code api}, deleted pods expiring on {@code nanoClock} after {@code grace}. */
    static WiredResolver on(URI api, Duration grace, LongSupplier nanoClock) {
        return on(api, grace, nanoClock, DEFAULT_MAX_CACHED_CGROUPS);
    }

    /** With no API server, a chosen cache bound and the builder's default grace. */
    static WiredResolver withoutApiServer(int maxCachedCgroups) {
        return on(null, KubernetesContainerResolver.DEFAULT_DELETED_POD_GRACE, System::nanoTime, maxCachedCgroups);
    }

    private static WiredResolver on(URI api, Duration grace, LongSupplier nanoClock, int maxCachedCgroups) {
        PodIndex pods = new PodIndex(TestPods.NODE, grace.toNanos(), nanoClock);
        CgroupIdCache<KubernetesContainerResolver.Resolved> cache = new CgroupIdCache<>(maxCachedCgroups);
        ApiServer server = api == null ? null : new ApiServer(api, NO_SERVICE_ACCOUNT);
        return new WiredResolver(new KubernetesContainerResolver(server, TestPods.NODE, new WatchHealth(TestPods.NODE), pods, cache),
                pods, cache);
    }

    /** Closes the resolver. */
    @Override
    public void close() {
        resolver.close();
    }
}
