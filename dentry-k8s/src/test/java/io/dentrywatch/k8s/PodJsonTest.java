package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.NODE;
import static io.dentrywatch.k8s.TestPods.OTHER_NODE;
import static io.dentrywatch.k8s.TestPods.completed;
import static io.dentrywatch.k8s.TestPods.containerId;
import static io.dentrywatch.k8s.TestPods.creating;
import static io.dentrywatch.k8s.TestPods.expected;
import static io.dentrywatch.k8s.TestPods.heavy;
import static io.dentrywatch.k8s.TestPods.json;
import static io.dentrywatch.k8s.TestPods.restarted;
import static io.dentrywatch.k8s.TestPods.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lists, watch events and Status bodies read token by token keep what fabric8's model says a pod holds. */
class PodJsonTest {

    private static final String CONFIG_HASH = "7c0b9f5d3e8a2b6c1d4e9f0a3b5c7d8e";

    private final JsonFactory json = new JsonFactory();

    private static Pod withUid(Pod pod, String uid, String resourceVersion) {
        pod.getMetadata().setUid(uid);
        pod.getMetadata().setResourceVersion(resourceVersion);
        return pod;
    }

    private static Pod heavyMirrorPod() {
        Pod full = withUid(heavy("kube-system", "etcd-" + NODE, NODE, Map.of(PodRecord.MIRROR_ANNOTATION, CONFIG_HASH),
                List.of(restarted("etcd", "containerd://" + containerId("app"), "containerd://" + containerId("previous"), 2),
                        creating("sidecar"))), "a9c3e1f2-0000-4000-8000-000000000001", "4711");
        full.getStatus().setInitContainerStatuses(List.of(completed("init-certs", "containerd://" + containerId("init"))));
        full.getStatus().setEphemeralContainerStatuses(List.of(running("debugger-q8w2e", "containerd://" + containerId("debug"))));
        return full;
    }

    @Test
    void aHeavyPodIsReadAsTheModelSaysIt() {
        Pod full = heavyMirrorPod();

        PodRecord read = TestPods.read(full);

        assertEquals(expected(full), read);
        assertEquals(Map.of(containerId("app"), "etcd", containerId("previous"), "etcd", containerId("init"), "init-certs",
                containerId("debug"), "debugger-q8w2e"), read.containerNames());
        assertEquals(List.of("a9c3e1f2-0000-4000-8000-000000000001", CONFIG_HASH), read.keys());
        assertEquals("containerd", read.runtime());
    }

    @Test
    void aListGivesItsPodsAndTheVersionToWatchFrom() throws IOException {
        Pod mirror = heavyMirrorPod();
        Pod plain = withUid(heavy("shop", "cart-0", NODE, Map.of(), List.of(running("cart", "containerd://" + containerId("cart")))), "u-2", "12");
        Pod elsewhere = withUid(heavy("shop", "cart-9", OTHER_NODE, Map.of(), List.of()), "u-9", "13");
        String list = json(new PodListBuilder().withNewMetadata().withResourceVersion("99").withContinue("next-page").endMetadata()
                .withItems(mirror, plain, elsewhere).build());

        PodJson.PodList read;
        try (JsonParser parser = json.createParser(list)) {
            read = PodJson.list(parser);
        }

        assertEquals("99", read.resourceVersion());
        // the node filter is the index's: a list keeps what the server sent
        assertEquals(List.of(expected(mirror), expected(plain), expected(elsewhere)), read.pods());
    }

    @Test
    void aWatchStreamIsReadEventByEventUntilItsCleanEnd() throws IOException {
        Pod pod = withUid(heavy("shop", "cart-0", NODE, Map.of(), List.of(running("cart", "containerd://" + containerId("c")))), "u-2", "12");
        String stream = "{\"type\":\"ADDED\",\"object\":" + json(pod) + "}\n"
                // fields in the other order
                + "{\"object\":" + json(withUid(pod, "u-2", "13")) + ",\"type\":\"MODIFIED\"}\n"
                + "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"20\","
                + "\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}\n"
                + "{\"type\":\"DELETED\",\"object\":" + json(withUid(pod, "u-2", "21")) + "}\n"
                + "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"too old resource version: 5 (21)\",\"reason\":\"Expired\",\"code\":410}}\n";

        try (JsonParser parser = json.createParser(stream)) {
            PodJson.WatchEvent added = PodJson.event(parser);
            PodJson.WatchEvent modified = PodJson.event(parser);
            PodJson.WatchEvent bookmark = PodJson.event(parser);
            PodJson.WatchEvent deleted = PodJson.event(parser);
            PodJson.WatchEvent error = PodJson.event(parser);

            assertEquals(new PodJson.WatchEvent("ADDED", expected(pod), "12", null), added);
            assertEquals(new PodJson.WatchEvent("MODIFIED", expected(pod), "13", null), modified);
            assertEquals("BOOKMARK", bookmark.type());
            assertNull(bookmark.pod(), "a bookmark carries no pod: it has no UID");
            assertEquals("20", bookmark.resourceVersion());
            assertEquals("DELETED", deleted.type());
            assertEquals("21", deleted.resourceVersion());
            assertEquals("ERROR", error.type());
            assertNull(error.pod());
            assertEquals(ApiException.GONE, error.error().code());
            assertEquals("Expired", error.error().reason());
            assertEquals("HTTP 410 Expired: too old resource version: 5 (21)", error.error().getMessage());
            assertNull(PodJson.event(parser), "the stream's clean end");
        }
    }

    @Test
    void odditiesOfRealJsonAreReadAsTheModelReadsThem() throws IOException {
        // fields in any order, nulls, unknown fields of every shape, statuses without ids
        String pod = """
                {"status": {"phase": "Pending", "containerStatuses": null, "initContainerStatuses": [],
                            "ephemeralContainerStatuses": [{"name": "dbg", "lastState": {"waiting": {"reason": "x"}},
                                                            "state": {"running": {}}, "extra": [1, [2, {"a": null}]]},
                                                           {"containerID": "containerd://nameless"}]},
                 "unknown": {"nested": [{"deep": true}]},
                 "spec": {"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}]}], "nodeName": "node-a", "priority": 5},
                 "metadata": {"labels": {"a": "b"}, "annotations": {"other": "1"}, "name": "p", "namespace": "ns",
                              "uid": "u-3", "generation": 7, "resourceVersion": "5", "deletionTimestamp": null}}
                """;

        PodRecord read = TestPods.read(new io.fabric8.kubernetes.client.utils.KubernetesSerialization().unmarshal(pod, Pod.class));
        PodJson.WatchEvent direct;
        try (JsonParser parser = json.createParser("{\"type\":\"ADDED\",\"object\":" + pod + "}")) {
            direct = PodJson.event(parser);
        }

        assertEquals(read, direct.pod());
        assertEquals(new PodRecord("ns", "p", "u-3", "node-a", "", "", Map.of(), false, 0), direct.pod());
        try (JsonParser parser = json.createParser("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"no-uid\"}}}")) {
            assertNull(PodJson.event(parser).pod(), "a pod without a UID cannot be indexed");
        }
    }

    @Test
    void aStatusBodySaysWhatWentWrongAndAnythingElseIsNotAStatus() throws IOException {
        String forbidden = """
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"pods is forbidden: User \\"system:serviceaccount:monitoring:dentrywatch\\" cannot list resource \\"pods\\"",
                 "reason":"Forbidden","details":{"kind":"pods"},"code":403}
                """;
        try (JsonParser parser = json.createParser(forbidden)) {
            ApiException error = PodJson.status(parser, 403);
            assertEquals(403, error.code());
            assertEquals("Forbidden", error.reason());
        }
        try (JsonParser parser = json.createParser("{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"m\"}")) {
            assertEquals(503, PodJson.status(parser, 503).code(), "a Status without a code takes the HTTP status");
        }
        try (JsonParser parser = json.createParser("<html>bad gateway</html>")) {
            assertThrows(IOException.class, () -> PodJson.status(parser, 502));
        }
        try (JsonParser parser = json.createParser("{\"kind\":\"PodList\"}")) {
            assertNull(PodJson.status(parser, 500));
        }
    }

    @Test
    void aListThatIsNotAnObjectIsAnErrorThatSaysWhere() {
        IOException error = assertThrows(IOException.class, () -> {
            try (JsonParser parser = json.createParser("[1, 2]")) {
                PodJson.list(parser);
            }
        });
        assertEquals(true, error.getMessage().startsWith("the Kubernetes API sent START_ARRAY where a JSON object was expected"),
                error.getMessage());
    }
}
