package io.dentrywatch.cgroup;

/**
 * Turns a cgroup into the identity metrics are labelled with. Adapters implement it (the
 * Kubernetes adapter adds namespace, pod and container names); the core's own implementation reads
 * only the cgroup path.
 *
 * <p>Called on the sampling path for every cgroup of every sample: implementations must be
 * thread-safe, O(1) per call and allocation-free in steady state (cache by cgroup id).
 */
@FunctionalInterface
public interface ContainerResolver {

    /**
     * Resolves one cgroup.
     *
     * @param cgroupId   the kernel's cgroup id (the cgroup directory's inode number)
     * @param cgroupPath the cgroup's path relative to its hierarchy root, starting with {@code /}
     * @return the identity; never {@code null}
     */
    ContainerIdentity resolve(long cgroupId, String cgroupPath);
}
