package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.NODE;
import static io.dentrywatch.k8s.TestPods.completed;
import static io.dentrywatch.k8s.TestPods.containerId;
import static io.dentrywatch.k8s.TestPods.creating;
import static io.dentrywatch.k8s.TestPods.pod;
import static io.dentrywatch.k8s.TestPods.restarted;
import static io.dentrywatch.k8s.TestPods.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodRecordTest {

    private static final String ID = containerId("record");
    private static final String PREVIOUS = containerId("record-previous");

    private static Pod withUid(Pod pod, String uid) {
        pod.getMetadata().setUid(uid);
        return pod;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "containerd://, containerd",
            "cri-o://, cri-o",
            "docker://, docker",
            "'', ''",
            "podman://, ''"})
    void containerIdLosesItsRuntimePrefix(String scheme, String runtime) {
        PodRecord record = TestPods.read(withUid(pod("shop", "web-0", NODE, List.of(running("web", scheme + ID))), "u-1"));

        assertEquals("web", record.containerName(ID));
        assertEquals(runtime, record.runtime());
    }

    @Test
    void everyKindOfContainerAndThePreviousInstanceAreNamed() {
        String init = containerId("record-init");
        String debug = containerId("record-debug");
        Pod pod = withUid(pod("shop", "web-0", NODE, Map.of(),
                List.of(restarted("web", "containerd://" + ID, "containerd://" + PREVIOUS, 3), creating("sidecar")),
                List.of(completed("init-schema", "containerd://" + init)),
                List.of(running("debugger-abcde", "containerd://" + debug))), "u-1");

        PodRecord record = TestPods.read(pod);

        assertEquals(Map.of(ID, "web", PREVIOUS, "web", init, "init-schema", debug, "debugger-abcde"), record.containerNames());
        assertEquals("shop", record.namespace());
        assertEquals("web-0", record.name());
        assertEquals("u-1", record.uid());
        assertEquals(NODE, record.nodeName());
        assertTrue(record.isOnNode(NODE));
        assertFalse(record.isOnNode("node-z"));
    }

    @Test
    void mirrorPodIsKeyedByItsUidAndTheStaticPodsUid() {
        Pod mirror = withUid(pod("kube-system", "etcd-" + NODE, NODE, Map.of(PodRecord.MIRROR_ANNOTATION, "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
                List.of(running("etcd", "containerd://" + ID)), List.of(), List.of()), "a9c3e1f2-0000-4000-8000-000000000001");

        assertEquals(List.of("a9c3e1f2-0000-4000-8000-000000000001", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"), TestPods.read(mirror).keys());
        assertEquals(List.of("u-2"), TestPods.read(withUid(pod("shop", "web-1", NODE, List.of()), "u-2")).keys());
        // a mirror annotation naming the pod itself adds no second key
        Pod self = withUid(pod("kube-system", "self-" + NODE, NODE, Map.of(PodRecord.MIRROR_ANNOTATION, "u-3"),
                List.of(), List.of(), List.of()), "u-3");
        assertEquals(List.of("u-3"), TestPods.read(self).keys());
    }

    @Test
    void deletedRecordExpiresAtItsDeadlineEvenAcrossClockWrap() {
        PodRecord live = TestPods.read(withUid(pod("shop", "web-0", NODE, List.of()), "u-1"));
        long deadline = Long.MAX_VALUE - 10 + 20; // wrapped past Long.MAX_VALUE, as nanoTime() may
        PodRecord deleted = live.deleted(deadline);

        assertFalse(live.deleted());
        assertFalse(live.expired(Long.MIN_VALUE));
        assertFalse(live.expired(Long.MAX_VALUE));
        assertTrue(deleted.deleted());
        assertFalse(deleted.expired(Long.MAX_VALUE - 5));
        assertTrue(deleted.expired(deadline));
        assertTrue(deleted.expired(deadline + 1));
    }
}
