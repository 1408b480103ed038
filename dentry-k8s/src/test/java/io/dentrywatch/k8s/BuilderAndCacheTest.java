package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.containerId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.cgroup.CgroupIdCache;
import io.dentrywatch.cgroup.CgroupPaths;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What needs no API server: the builder's rules and the cgroup cache's bound. */
class BuilderAndCacheTest {

    private final KubernetesClient unusedClient = new KubernetesClientBuilder().withConfig(Config.empty()).build();

    @AfterEach
    void closeClient() {
        unusedClient.close();
    }

    @Test
    void nodeNameComesFromTheEnvironmentWhenNotGiven() {
        try (KubernetesContainerResolver resolver = KubernetesContainerResolver.builder().client(unusedClient)
                .environment(Map.of("NODE_NAME", "ip-10-0-3-17.ec2.internal")::get).build()) {
            assertEquals("ip-10-0-3-17.ec2.internal", resolver.nodeName());
        }
        try (KubernetesContainerResolver resolver = KubernetesContainerResolver.builder().client(unusedClient).nodeName("node-a")
                .environment(Map.of("NODE_NAME", "ignored")::get).build()) {
            assertEquals("node-a", resolver.nodeName());
        }
    }

    @Test
    void missingNodeNameIsAnErrorThatSaysHowToSetIt() {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> KubernetesContainerResolver.builder().client(unusedClient).environment(name -> null).build());

        assertTrue(error.getMessage().contains("NODE_NAME"), error.getMessage());
        assertTrue(error.getMessage().contains("spec.nodeName"), error.getMessage());
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> KubernetesContainerResolver.builder().deletedPodGrace(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> KubernetesContainerResolver.builder().maxCachedCgroups(0));
    }

    @Test
    void unstartedResolverAnswersFromThePathAndCannotRestartOnceClosed() {
        KubernetesContainerResolver resolver = KubernetesContainerResolver.builder().client(unusedClient).nodeName("node-a").build();
        String path = "/kubepods/besteffort/pod0d4c2b1a-7e6f-4a3b-9c8d-1e2f3a4b5c6d/" + containerId("unstarted");

        assertEquals(CgroupPaths.parse(path), resolver.resolve(5, path));
        resolver.close();
        assertThrows(IllegalStateException.class, resolver::start);
    }

    @Test
    void cgroupCacheStaysWithinTwiceItsCapacity() {
        try (WiredResolver wired = WiredResolver.on(unusedClient, 4)) {
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
