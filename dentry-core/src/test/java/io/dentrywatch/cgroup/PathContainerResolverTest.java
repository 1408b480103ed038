package io.dentrywatch.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class PathContainerResolverTest {

    private static final String CONTAINER_ID = "b4d1038c0e74467679a7bfd20f6af659a4ddd05e82a03c7784a69074b75288e2";
    private static final String POD_UID = "b681ed63-f381-4edb-9bfe-a0ed6d59283f";
    private static final String CONTAINER_PATH = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
            + POD_UID.replace('-', '_') + ".slice/cri-containerd-" + CONTAINER_ID + ".scope";

    @Test
    void resolvesWhatThePathSays() {
        PathContainerResolver resolver = new PathContainerResolver();

        assertEquals(CgroupPaths.parse(CONTAINER_PATH), resolver.resolve(4242, CONTAINER_PATH));
        assertEquals(ContainerIdentity.nonPod("mariadb.service"), resolver.resolve(17, "/system.slice/mariadb.service"));
    }

    @Test
    void repeatedLookupReturnsTheCachedIdentity() {
        CgroupIdCache<PathContainerResolver.Resolved> cache = new CgroupIdCache<>(PathContainerResolver.DEFAULT_MAX_CACHED_CGROUPS);
        PathContainerResolver resolver = new PathContainerResolver(cache);

        ContainerIdentity first = resolver.resolve(4242, CONTAINER_PATH);
        // a copy of the path, as a sampler re-reading /sys/fs/cgroup would pass
        ContainerIdentity second = resolver.resolve(4242, new String(CONTAINER_PATH.toCharArray()));

        assertSame(first, second);
        assertEquals(1, cache.size());
    }

    @Test
    void sameIdWithAnotherPathIsParsedAgain() {
        PathContainerResolver resolver = new PathContainerResolver();
        resolver.resolve(4242, CONTAINER_PATH);

        ContainerIdentity identity = resolver.resolve(4242, "/system.slice/mariadb.service");

        assertEquals(ContainerIdentity.nonPod("mariadb.service"), identity);
    }

    @Test
    void cacheStaysBoundedAndKeepsRecentlyUsedCgroups() {
        int capacity = 8;
        CgroupIdCache<PathContainerResolver.Resolved> cache = new CgroupIdCache<>(capacity);
        PathContainerResolver resolver = new PathContainerResolver(cache);
        ContainerIdentity hot = resolver.resolve(1, CONTAINER_PATH);

        for (long id = 100; id < 1_100; id++) {
            resolver.resolve(id, "/system.slice/unit-" + id + ".service");
            // one cgroup looked up all along survives every generation change
            assertSame(hot, resolver.resolve(1, CONTAINER_PATH));
            assertTrue(cache.size() <= 2 * capacity, () -> "cached " + cache.size());
        }
        assertEquals(ContainerIdentity.nonPod("unit-100.service"), resolver.resolve(100, "/system.slice/unit-100.service"));
    }

    @Test
    void capacityBelowOneIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PathContainerResolver(0));
    }

    @Test
    void warmLookupsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PathContainerResolver resolver = new PathContainerResolver();
        int cgroups = 500;
        long[] ids = new long[cgroups];
        String[] paths = new String[cgroups];
        for (int i = 0; i < cgroups; i++) {
            // inode-like ids well outside the Long cache, so boxing would show
            ids[i] = 1_000_000_000L + 7919L * i;
            paths[i] = i % 2 == 0 ? "/system.slice/unit-" + i + ".service" : CONTAINER_PATH.replace("b4d1038c", Integer.toHexString(0x10000000 + i));
        }
        for (int round = 0; round < 200; round++) {
            assertEquals(cgroups, lookUpAll(resolver, ids, paths));
        }

        // the least of a few measured rounds: the JIT now and then allocates a few bytes on this thread, the lookups never
        long leastAllocated = Long.MAX_VALUE;
        for (int measured = 0; measured < 5; measured++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            int found = 0;
            for (int round = 0; round < 200; round++) {
                found += lookUpAll(resolver, ids, paths);
            }
            leastAllocated = Math.min(leastAllocated, threads.getCurrentThreadAllocatedBytes() - before);
            assertEquals(200 * cgroups, found);
        }

        assertEquals(0, leastAllocated, "bytes allocated by 100,000 warm lookups");
    }

    private static int lookUpAll(PathContainerResolver resolver, long[] ids, String[] paths) {
        int found = 0;
        for (int i = 0; i < ids.length; i++) {
            if (resolver.resolve(ids[i], paths[i]) != null) {
                found++;
            }
        }
        return found;
    }
}
