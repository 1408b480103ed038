package io.dentrywatch.cgroup;

/**
 * The core's {@link ContainerResolver}: the identity {@link CgroupPaths#parse(String)} reads from the
 * cgroup path, with no Kubernetes API. Pods are labelled by UID, containers by id.
 *
 * <p>Results are cached by cgroup id, so a repeated lookup is O(1) and allocates nothing. A cached
 * result is used only while the path given for the id stays the same. The cache is bounded: it
 * keeps at most twice {@code maxCachedCgroups} entries, dropping the ones not looked up for the
 * longest. Thread-safe.
 */
public final class PathContainerResolver implements ContainerResolver {

    /** The default bound of the cache: far more cgroups than a node runs at once. */
    public static final int DEFAULT_MAX_CACHED_CGROUPS = 16_384;

    private final CgroupIdCache<Resolved> cache;

    /** A resolver caching up to {@link #DEFAULT_MAX_CACHED_CGROUPS} recently used cgroups. */
    public PathContainerResolver() {
        this(DEFAULT_MAX_CACHED_CGROUPS);
    }

    /**
     * A resolver with a chosen cache bound.
     *
     * @param maxCachedCgroups how many cgroups one cache generation holds; at least 1
     * @throws IllegalArgumentException if {@code maxCachedCgroups} is less than 1
     */
    public PathContainerResolver(int maxCachedCgroups) {
        this(new CgroupIdCache<>(maxCachedCgroups));
    }

    /** A resolver keeping its results in {@code cache}. */
    PathContainerResolver(CgroupIdCache<Resolved> cache) {
        this.cache = cache;
    }

    /** {@inheritDoc} Cached by cgroup id; parses the path only on the first lookup or when it changed. */
    @Override
    public ContainerIdentity resolve(long cgroupId, String cgroupPath) {
        Resolved cached = cache.get(cgroupId);
        if (cached != null && cached.path().equals(cgroupPath)) {
            return cached.identity();
        }
        ContainerIdentity identity = CgroupPaths.parse(cgroupPath);
        cache.put(cgroupId, new Resolved(cgroupPath, identity));
        return identity;
    }

    /** A path and what it resolved to. */
    record Resolved(String path, ContainerIdentity identity) {
    }
}
