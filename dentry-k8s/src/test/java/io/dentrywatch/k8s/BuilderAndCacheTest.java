package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.containerId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.cgroup.CgroupIdCache;
import io.dentrywatch.cgroup.CgroupPaths;
import io.dentrywatch.k8s.KubernetesContainerResolver.State;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What needs no API server: the builder's rules and the cgroup cache's bound. */
class BuilderAndCacheTest {

    @Test
    void nodeNameComesFromTheEnvironmentWhenNotGiven() {
        try (KubernetesContainerResolver resolver = KubernetesContainerResolver.builder()
                .environment(Map.of("NODE_NAME", "ip-10-0-3-17.ec2.internal")::get).build()) {
            assertEquals("ip-10-0-3-17.ec2.internal", resolver.nodeName());
        }
        try (KubernetesContainerResolver resolver = KubernetesContainerResolver.builder().nodeName("node-a")
                .environment(Map.of("NODE_NAME", "ignored")::get).build()) {
            assertEquals("node-a", resolver.nodeName());
        }
    }

    @Test
    void missingNodeNameIsAnErrorThatSaysHowToSetIt() {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> KubernetesContainerResolver.builder().environment(name -> null).build());

        assertTrue(error.getMessage().contains("NODE_NAME"), error.getMessage());
        assertTrue(error.getMessage().contains("spec.nodeName"), error.getMessage());
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> KubernetesContainerResolver.builder().deletedPodGrace(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> KubernetesContainerResolver.builder().maxCachedCgroups(0));
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
                () -> KubernetesContainerResolver.builder().apiServer(URI.create("ftp://10.96.0.1")));
        assertTrue(scheme.getMessage().contains("http:// or https://"), scheme.getMessage());
    }

    @Test
    void theInClusterApiServerComesFromTheServiceVariables() {
        assertEquals(URI.create("https://10.96.0.1:443"),
                ApiServer.inCluster(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443")::get));
        assertEquals(URI.create("https://[fd00:10:96::1]:6443"),
                ApiServer.inCluster(Map.of("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", "KUBERNETES_SERVICE_PORT", "6443")::get));
        assertEquals(URI.create("https://10.96.0.1:443"), ApiServer.inCluster(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")::get));
        assertNull(ApiServer.inCluster(Map.<String, String>of()::get));
    }

    @Test
    void withoutAnApiServerTheStatusSaysWhyAndPathsStillResolve() {
        try (KubernetesContainerResolver resolver = KubernetesContainerResolver.builder().nodeName("node-a")
                .environment(Map.<String, String>of()::get).build()) {
            resolver.start();
            assertEquals(State.UNAVAILABLE, resolver.status().state());
            assertTrue(resolver.status().message().contains("no Kubernetes API server is known"), resolver.status().message());
            String path = "/kubepods/besteffort/pod0d4c2b1a-7e6f-4a3b-9c8d-1e2f3a4b5c6d/" + containerId("no-api");
            assertEquals(CgroupPaths.parse(path), resolver.resolve(6, path));
        }
    }

    @Test
    void unstartedResolverAnswersFromThePathAndCannotRestartOnceClosed() {
        KubernetesContainerResolver resolver = KubernetesContainerResolver.builder().nodeName("node-a").build();
        String path = "/kubepods/besteffort/pod0d4c2b1a-7e6f-4a3b-9c8d-1e2f3a4b5c6d/" + containerId("unstarted");

        assertEquals(CgroupPaths.parse(path), resolver.resolve(5, path));
        resolver.close();
        assertThrows(IllegalStateException.class, resolver::start);
    }

    @Test
    void cgroupCacheStaysWithinTwiceItsCapacity() {
        try (WiredResolver wired = WiredResolver.withoutApiServer(4)) {
            KubernetesContainerResolver resolver = wired.resolver();
            for (long id = 1; id <= 100; id++) {
                resolver.resolve(id, "/system.slice/unit-" + id + ".service");
                assertTrue(wired.cache().size() <= 8, "cached " + wired.cache().size());
            }
            assertEquals("unit-3.service", resolver.resolve(3, "/system.slice/unit-3.service").container());
        }
    }

    @Test
    void cacheGenerationsKeepWhatIsStillLookedUp() {
        CgroupIdCache<String> cache = new CgroupIdCache<>(2);
        cache.put(1, "hot");
        cache.put(2, "cold");
        cache.put(3, "third"); // young was full: {1, 2} became old
        assertSame("hot", cache.get(1)); // moves back to young
        cache.put(4, "fourth"); // young {3, 1} full again: old {2} is dropped

        assertEquals("hot", cache.get(1));
        assertNull(cache.get(2));
        assertEquals("third", cache.get(3));
        assertEquals("fourth", cache.get(4));
        assertTrue(cache.size() <= 4);
    }
}
