package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.NODE;
import static io.dentrywatch.k8s.TestPods.OTHER_NODE;
import static io.dentrywatch.k8s.TestPods.burstableScope;
import static io.dentrywatch.k8s.TestPods.completed;
import static io.dentrywatch.k8s.TestPods.containerId;
import static io.dentrywatch.k8s.TestPods.creating;
import static io.dentrywatch.k8s.TestPods.heavy;
import static io.dentrywatch.k8s.TestPods.restarted;
import static io.dentrywatch.k8s.TestPods.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pods read token by token are the slim copies {@link SlimPodStore#slim(Pod)} makes of whole pods. */
@EnableKubernetesMockClient(crud = true, kubernetesClientBuilderCustomizer = SelectorIgnoringMock.class)
class SlimPodDeserializerTest {

    private static final KubernetesSerialization WHOLE = new KubernetesSerialization();
    private static final KubernetesSerialization SLIM = SlimPodDeserializer.serialization();
    private static final String CONFIG_HASH = "7c0b9f5d3e8a2b6c1d4e9f0a3b5c7d8e";

    KubernetesClient client;
    KubernetesMockServer server;

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
    void readsWhatSlimKeepsOfAHeavyPod() {
        Pod full = heavyMirrorPod();

        Pod read = SLIM.unmarshal(WHOLE.asJson(full), Pod.class);

        assertEquals(SlimPodStore.slim(full), read);
        assertEquals(WHOLE.asJson(SlimPodStore.slim(full)), WHOLE.asJson(read));
        assertEquals(PodRecord.of(full), PodRecord.of(read));
        assertEquals(PodRecord.keys(full), PodRecord.keys(read));
        assertTrue(read.getMetadata().getManagedFields().isEmpty() && read.getSpec().getContainers().isEmpty());
    }

    @Test
    void readsListsAndWatchEventsOfPods() {
        Pod mirror = heavyMirrorPod();
        Pod plain = withUid(heavy("shop", "cart-0", NODE, Map.of(), List.of(running("cart", "containerd://" + containerId("cart")))), "u-2", "12");
        PodList list = new PodListBuilder().withNewMetadata().withResourceVersion("99").withContinue("next-page").endMetadata()
                .withItems(mirror, plain).build();

        PodList read = SLIM.unmarshal(WHOLE.asJson(list), PodList.class);

        assertEquals(List.of(SlimPodStore.slim(mirror), SlimPodStore.slim(plain)), read.getItems());
        assertEquals("next-page", read.getMetadata().getContinue(), "the list's own metadata is read as usual");
        WatchEvent event = SLIM.unmarshal("{\"type\": \"MODIFIED\", \"object\": " + WHOLE.asJson(plain) + "}", WatchEvent.class);
        assertEquals(SlimPodStore.slim(plain), event.getObject());
    }

    @Test
    void odditiesOfRealJsonAreReadAsTheBeanDeserializerWould() {
        // list items without apiVersion and kind, fields in any order, nulls, unknown fields of every shape
        String json = """
                {"status": {"phase": "Pending", "containerStatuses": null, "initContainerStatuses": [],
                            "ephemeralContainerStatuses": [{"name": "dbg", "lastState": {"waiting": {"reason": "x"}},
                                                            "state": {"running": {}}, "extra": [1, [2, {"a": null}]]}]},
                 "unknown": {"nested": [{"deep": true}]},
                 "spec": {"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}]}], "nodeName": "node-a", "priority": 5},
                 "metadata": {"labels": {"a": "b"}, "annotations": {"other": "1"}, "name": "p", "namespace": "ns",
                              "uid": "u-3", "generation": 7, "resourceVersion": "5", "deletionTimestamp": null}}
                """;

        Pod read = SLIM.unmarshal(json, Pod.class);

        assertEquals(SlimPodStore.slim(WHOLE.unmarshal(json, Pod.class)), read);
        assertEquals("v1", read.getApiVersion());
        assertEquals("Pod", read.getKind());
        assertEquals("node-a", read.getSpec().getNodeName());
        assertEquals(Map.of(), read.getMetadata().getAnnotations());
        assertNull(read.getStatus().getEphemeralContainerStatuses().getFirst().getLastState());
        assertEquals(SlimPodStore.slim(WHOLE.unmarshal("{\"metadata\": {\"name\": \"bare\"}}", Pod.class)),
                SLIM.unmarshal("{\"metadata\": {\"name\": \"bare\"}}", Pod.class));
    }

    @Test
    void resolverWithASlimReadingClientListsFromTheWatchCacheCachesSlimPodsAndResolves() throws InterruptedException {
        String listedId = containerId("paged-listed");
        String addedId = containerId("paged-added");
        Pod listed = create(heavy("shop", "cart-0", NODE, Map.of(), List.of(running("cart", "containerd://" + listedId))));
        create(heavy("shop", "cart-9", OTHER_NODE, Map.of(), List.of(running("cart", "containerd://" + containerId("x")))));
        KubernetesClientBuilder builder = new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withKubernetesSerialization(SlimPodDeserializer.serialization());
        new SelectorIgnoringMock().accept(builder);
        try (KubernetesClient slimClient = builder.build();
             WiredResolver wired = WiredResolver.on(slimClient)) {
            KubernetesContainerResolver resolver = wired.resolver();
            resolver.start();
            Await.until(resolver::isSynced, () -> "informer synced");
            // one list from the API server's watch cache, not pages read through to etcd
            List<String> paths = requestPaths();
            assertTrue(paths.stream().anyMatch(p -> p.startsWith("/api/v1/pods?") && !p.contains("watch=")
                    && p.contains("resourceVersion=0") && !p.contains("limit=")), () -> "a list at resourceVersion=0, requests " + paths);
            String listedPath = burstableScope(listed.getMetadata().getUid(), "cri-containerd-", listedId);
            // the handler hears of the listed pods after the sync, from the informer's thread
            Await.until(() -> resolver.resolve(1, listedPath).container().equals("cart"), () -> "the listed pod's container");

            Pod added = create(heavy("shop", "cart-1", NODE, Map.of(), List.of(running("cart", "containerd://" + addedId))));
            String addedPath = burstableScope(added.getMetadata().getUid(), "cri-containerd-", addedId);
            Await.until(() -> resolver.resolve(2, addedPath).container().equals("cart"), () -> "the added pod's container");

            Map<String, Pod> cached = wired.store().values()
                    .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
            assertEquals(Map.of("cart-0", SlimPodStore.slim(current(listed)), "cart-1", SlimPodStore.slim(current(added))), cached);
        }
    }

    /** The paths of the requests the mock has seen so far. */
    private List<String> requestPaths() throws InterruptedException {
        List<String> paths = new ArrayList<>();
        for (RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS); request != null;
                request = server.takeRequest(100, TimeUnit.MILLISECONDS)) {
            paths.add(request.getPath());
        }
        return paths;
    }

    private Pod create(Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    }

    private Pod current(Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    }
}
