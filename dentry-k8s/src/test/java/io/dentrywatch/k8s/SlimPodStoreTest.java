package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.NODE;
import static io.dentrywatch.k8s.TestPods.OTHER_NODE;
import static io.dentrywatch.k8s.TestPods.burstableScope;
import static io.dentrywatch.k8s.TestPods.completed;
import static io.dentrywatch.k8s.TestPods.containerId;
import static io.dentrywatch.k8s.TestPods.heavy;
import static io.dentrywatch.k8s.TestPods.restarted;
import static io.dentrywatch.k8s.TestPods.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.cgroup.ContainerIdentity.QosClass;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the informer keeps of each pod: what resolution reads, and nothing of the rest of a heavy pod. */
@EnableKubernetesMockClient(crud = true, kubernetesClientBuilderCustomizer = SelectorIgnoringMock.class)
class SlimPodStoreTest {

    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final String CONFIG_HASH = "7c0b9f5d3e8a2b6c1d4e9f0a3b5c7d8e";

    KubernetesClient client;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private KubernetesContainerResolver resolver;
    private WiredResolver wired;

    @AfterEach
    void closeResolver() {
        if (resolver != null) {
            resolver.close();
        }
    }

    /** The pod as the JSON the API server would send: empty fields are left out, so what is there is all that is kept. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> asJson(Pod pod) {
        return JSON.convertValue(pod, Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String text) {
        return JSON.unmarshal(text, Map.class);
    }

    private static Pod withUid(Pod pod, String uid, String resourceVersion) {
        pod.getMetadata().setUid(uid);
        pod.getMetadata().setResourceVersion(resourceVersion);
        return pod;
    }

    @Test
    void slimCopyKeepsWhatResolutionReadsAndNothingElse() {
        String app = containerId("slim-app");
        String previous = containerId("slim-app-previous");
        String init = containerId("slim-init");
        String debug = containerId("slim-debug");
        Pod full = withUid(heavy("kube-system", "etcd-" + NODE, NODE, Map.of(PodRecord.MIRROR_ANNOTATION, CONFIG_HASH),
                List.of(restarted("etcd", "containerd://" + app, "containerd://" + previous, 2))), "a9c3e1f2-0000-4000-8000-000000000001", "4711");
        full.getStatus().setInitContainerStatuses(List.of(completed("init-certs", "containerd://" + init)));
        full.getStatus().setEphemeralContainerStatuses(List.of(running("debugger-q8w2e", "containerd://" + debug)));

        Pod slim = SlimPodStore.slim(full);

        assertEquals(json("""
                {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"namespace": "kube-system", "name": "etcd-node-a", "uid": "a9c3e1f2-0000-4000-8000-000000000001",
                              "resourceVersion": "4711", "annotations": {"kubernetes.io/config.mirror": "%s"}},
                 "spec": {"nodeName": "node-a"},
                 "status": {"containerStatuses": [{"name": "etcd", "containerID": "containerd://%s",
                                                   "lastState": {"terminated": {"containerID": "containerd://%s"}}}],
                            "initContainerStatuses": [{"name": "init-certs", "containerID": "containerd://%s"}],
                            "ephemeralContainerStatuses": [{"name": "debugger-q8w2e", "containerID": "containerd://%s"}]}}
                """.formatted(CONFIG_HASH, app, previous, init, debug)), asJson(slim));
        // what the resolver makes of it is the same as of the whole pod
        assertEquals(PodRecord.of(full), PodRecord.of(slim));
        assertEquals(PodRecord.keys(full), PodRecord.keys(slim));
        assertTrue(JSON.asJson(slim).length() * 5 < JSON.asJson(full).length(),
                () -> "slim " + JSON.asJson(slim).length() + " bytes of JSON, whole " + JSON.asJson(full).length());
    }

    @Test
    void storeKeepsSlimPodsOfThisNodeOnly() {
        SlimPodStore store = new SlimPodStore(NODE);
        Pod mine = withUid(heavy("shop", "web-0", NODE, Map.of(), List.of(running("web", "containerd://" + containerId("w")))), "u-1", "10");
        Pod elsewhere = withUid(heavy("shop", "web-1", OTHER_NODE, Map.of(), List.of()), "u-2", "11");

        assertEquals("shop/web-0", store.getKey(mine));
        assertNull(store.put(store.getKey(mine), mine));
        assertNull(store.put(store.getKey(elsewhere), elsewhere));

        assertEquals(1, store.size());
        assertEquals(List.of("shop/web-0"), store.keySet().toList());
        assertNull(store.get("shop/web-1"), "another node's pod is not kept");
        Pod kept = store.get("shop/web-0");
        assertEquals(asJson(SlimPodStore.slim(mine)), asJson(kept));
        assertTrue(kept.getMetadata().getLabels().isEmpty() && kept.getMetadata().getManagedFields().isEmpty()
                && kept.getSpec().getContainers().isEmpty(), () -> "kept " + asJson(kept));
        assertEquals(List.of(kept), store.values().toList());

        // the informer compares the old object's resourceVersion with the new one's to decide on an update event
        Pod updated = withUid(heavy("shop", "web-0", NODE, Map.of(), List.of()), "u-1", "12");
        assertSame(kept, store.put("shop/web-0", updated));
        assertEquals("12", store.get("shop/web-0").getMetadata().getResourceVersion());

        // a known pod seen on another node is dropped, and returned so that the informer sends an update
        Pod moved = withUid(heavy("shop", "web-0", OTHER_NODE, Map.of(), List.of()), "u-1", "13");
        assertEquals("12", store.put("shop/web-0", moved).getMetadata().getResourceVersion());
        assertEquals(0, store.size());
        assertNull(store.remove("shop/web-0"));
    }

    @Test
    void deleteThatARelistFindsCarriesTheSlimPodAndStillMarksItDeleted() {
        PodIndex index = new PodIndex(NODE, Duration.ofMinutes(5).toNanos(), clock::get, new InformerHealth(NODE));
        Pod mirror = withUid(heavy("kube-system", "etcd-" + NODE, NODE, Map.of(PodRecord.MIRROR_ANNOTATION, CONFIG_HASH),
                List.of(running("etcd", "containerd://" + containerId("etcd")))), "a9c3e1f2-0000-4000-8000-000000000002", "20");
        index.onAdd(mirror);

        // after a lost watch, the informer relists and deletes what is gone with the object its store holds
        index.onDelete(SlimPodStore.slim(mirror), true);

        assertTrue(index.current(mirror.getMetadata().getUid()).deleted(), "by its UID");
        assertTrue(index.current(CONFIG_HASH).deleted(), "by the static pod's UID");
        assertEquals("etcd", index.current(CONFIG_HASH).containerName(containerId("etcd")));
    }

    @Test
    void informerCachesSlimPodsAndResolvesOnListAddUpdateAndDelete() {
        String listedId = containerId("listed");
        String restartedId = containerId("listed-restarted");
        String addedId = containerId("added");
        // listed at start: the informer sends these adds from its store, so from the slim copies
        Pod listed = create(heavy("shop", "cart-0", NODE, Map.of(), List.of(running("cart", "containerd://" + listedId))));
        Pod elsewhere = create(heavy("shop", "cart-9", OTHER_NODE, Map.of(), List.of(running("cart", "containerd://" + containerId("x")))));
        wired = WiredResolver.on(client, KubernetesContainerResolver.DEFAULT_DELETED_POD_GRACE, clock::get);
        resolver = wired.resolver();
        resolver.start();
        Await.until(resolver::isSynced, () -> "informer synced");
        String listedUid = listed.getMetadata().getUid();
        String listedPath = burstableScope(listedUid, "cri-containerd-", listedId);

        assertEquals(new ContainerIdentity("shop", "cart-0", "cart", listedUid, listedId, "containerd", QosClass.BURSTABLE),
                awaitResolved(1, listedPath, "cart-0"));
        assertEquals(Map.of("shop/cart-0", asJson(SlimPodStore.slim(current(listed)))), cached(), "only this node's pod, slim");

        // added by the watch
        Pod added = create(heavy("shop", "cart-1", NODE, Map.of(), List.of(running("cart", "containerd://" + addedId))));
        String addedPath = burstableScope(added.getMetadata().getUid(), "cri-containerd-", addedId);
        assertEquals("cart", awaitResolved(2, addedPath, "cart-1").container());
        Await.until(() -> cached().size() == 2, () -> "two cached pods, last " + cached().keySet());

        // updated: a restart gives the container a new id
        updateStatus(listed, List.of(restarted("cart", "containerd://" + restartedId, "containerd://" + listedId, 1)));
        String restartedPath = burstableScope(listedUid, "cri-containerd-", restartedId);
        Await.until(() -> resolver.resolve(3, restartedPath).container().equals("cart"), () -> "the restarted container's name");
        Await.until(() -> cached().get("shop/cart-0").equals(asJson(SlimPodStore.slim(current(listed)))),
                () -> "the updated pod cached, slim, at its new resourceVersion; cached " + cached().get("shop/cart-0"));
        assertEquals("cart", resolver.resolve(1, listedPath).container(), "the previous instance");

        // deleted: gone from the cache, still resolving for the grace period
        client.pods().inNamespace("shop").withName("cart-1").delete();
        Await.until(() -> !cached().containsKey("shop/cart-1"), () -> "cart-1 gone from the cache");
        Await.until(() -> wired.pods().current(added.getMetadata().getUid()).deleted(), () -> "the delete event");
        assertEquals("cart-1", resolver.resolve(2, addedPath).pod());
        assertEquals(Map.of("shop/cart-0", asJson(SlimPodStore.slim(current(listed)))), cached(),
                "never the other node's " + elsewhere.getMetadata().getName());
    }

    private Map<String, Map<String, Object>> cached() {
        return wired.store().values().collect(Collectors.toMap(
                p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), SlimPodStoreTest::asJson));
    }

    private Pod create(Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    }

    private Pod current(Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    }

    private void updateStatus(Pod pod, List<ContainerStatus> containers) {
        Pod latest = current(pod);
        latest.getStatus().setContainerStatuses(containers);
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(latest).updateStatus();
    }

    private ContainerIdentity awaitResolved(long cgroupId, String path, String expectedPod) {
        ContainerIdentity[] last = new ContainerIdentity[1];
        Await.until(() -> {
            last[0] = resolver.resolve(cgroupId, path);
            return last[0].pod().equals(expectedPod);
        }, () -> "pod " + expectedPod + " for " + path + ", last " + last[0]);
        return last[0];
    }
}
