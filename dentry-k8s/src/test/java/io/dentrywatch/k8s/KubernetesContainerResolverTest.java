package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.NODE;
import static io.dentrywatch.k8s.TestPods.OTHER_NODE;
import static io.dentrywatch.k8s.TestPods.besteffortCgroupfs;
import static io.dentrywatch.k8s.TestPods.burstablePodSlice;
import static io.dentrywatch.k8s.TestPods.burstableScope;
import static io.dentrywatch.k8s.TestPods.completed;
import static io.dentrywatch.k8s.TestPods.containerId;
import static io.dentrywatch.k8s.TestPods.creating;
import static io.dentrywatch.k8s.TestPods.pod;
import static io.dentrywatch.k8s.TestPods.restarted;
import static io.dentrywatch.k8s.TestPods.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.cgroup.ContainerIdentity.QosClass;
import io.dentrywatch.k8s.KubernetesContainerResolver.State;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The resolver against a stand-in API server: pods listed and watched, then resolved, as the kubelet changes them. */
class KubernetesContainerResolverTest {

    /** No service account: plain HTTP, no token. */
    private static final Path NO_SERVICE_ACCOUNT = Path.of("/nonexistent/serviceaccount");

    private FakeApiServer api;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private KubernetesContainerResolver resolver;
    /** The started resolver's pod index. */
    private PodIndex pods;

    @BeforeEach
    void startApiServer() throws IOException {
        api = FakeApiServer.start();
    }

    @AfterEach
    void closeResolverAndApiServer() {
        if (resolver != null) {
            resolver.close();
        }
        api.close();
    }

    private KubernetesContainerResolver startedResolver() {
        WiredResolver wired = WiredResolver.on(api.uri(), Duration.ofMinutes(5), clock::get);
        resolver = wired.resolver();
        pods = wired.pods();
        resolver.start();
        Await.until(resolver::isSynced, () -> "pods listed");
        return resolver;
    }

    private KubernetesContainerResolver.Builder builder() {
        return KubernetesContainerResolver.builder().apiServer(api.uri()).serviceAccount(NO_SERVICE_ACCOUNT).nodeName(NODE);
    }

    private Pod create(Pod pod) {
        return api.put(pod);
    }

    private Pod updateStatus(Pod pod, List<ContainerStatus> containers) {
        pod.getStatus().setContainerStatuses(containers);
        return api.put(pod);
    }

    private ContainerIdentity awaitResolved(long cgroupId, String path, String expectedPod) {
        ContainerIdentity[] last = new ContainerIdentity[1];
        Await.until(() -> {
            last[0] = resolver.resolve(cgroupId, path);
            return last[0].pod().equals(expectedPod);
        }, () -> "pod " + expectedPod + " for " + path + ", last " + last[0]);
        return last[0];
    }



    private static ContainerIdentity pathOnly(String podUid, String containerId, String runtime) {
        return new ContainerIdentity("", podUid, containerId, podUid, containerId, runtime, QosClass.BURSTABLE);
    }

    @Test
    void containersOfAPodOnThisNodeResolveToNamespacePodAndContainer() {
        String app = containerId("checkout-app");
        String sidecar = containerId("checkout-envoy");
        startedResolver();
        Pod pod = create(pod("shop", "checkout-7d9f8b6c5-x2k4p", NODE, List.of(
                running("app", "containerd://" + app), running("envoy", "containerd://" + sidecar))));
        String uid = pod.getMetadata().getUid();

        ContainerIdentity appIdentity = awaitResolved(11, burstableScope(uid, "cri-containerd-", app), "checkout-7d9f8b6c5-x2k4p");

        assertEquals(new ContainerIdentity("shop", "checkout-7d9f8b6c5-x2k4p", "app", uid, app, "containerd", QosClass.BURSTABLE),
                appIdentity);
        assertEquals(new ContainerIdentity("shop", "checkout-7d9f8b6c5-x2k4p", "envoy", uid, sidecar, "containerd", QosClass.BURSTABLE),
                resolver.resolve(12, burstableScope(uid, "cri-containerd-", sidecar)));
        // the pod's own cgroup has no container
        assertEquals(new ContainerIdentity("shop", "checkout-7d9f8b6c5-x2k4p", "", uid, "", "", QosClass.BURSTABLE),
                resolver.resolve(13, burstablePodSlice(uid)));
    }

    @Test
    void cgroupfsDriverPathTakesItsRuntimeFromTheContainerStatus() {
        String id = containerId("batch-worker");
        startedResolver();
        Pod pod = create(pod("batch", "report-29384721-abcde", NODE, List.of(running("worker", "docker://" + id))));
        String uid = pod.getMetadata().getUid();

        ContainerIdentity identity = awaitResolved(21, besteffortCgroupfs(uid, id), "report-29384721-abcde");

        assertEquals(new ContainerIdentity("batch", "report-29384721-abcde", "worker", uid, id, "docker", QosClass.BEST_EFFORT),
                identity);
    }

    @Test
    void containerStartedAfterItsCgroupWasSeenGetsItsNameOnceTheStatusHasItsId() {
        String id = containerId("api-server-1");
        startedResolver();
        Pod pod = create(pod("payments", "api-0", NODE, List.of(creating("api"))));
        String uid = pod.getMetadata().getUid();
        String path = burstableScope(uid, "crio-", id);
        // before the kubelet reports the id, the only id-less container a pod has is its sandbox
        assertEquals("POD", awaitResolved(31, path, "api-0").container());

        updateStatus(pod, List.of(running("api", "cri-o://" + id)));

        Await.until(() -> resolver.resolve(31, path).container().equals("api"), () -> "container name from the updated status");
        assertEquals(new ContainerIdentity("payments", "api-0", "api", uid, id, "cri-o", QosClass.BURSTABLE),
                resolver.resolve(31, path));
    }

    @Test
    void restartedContainerResolvesToTheSameNameUnderEveryId() {
        String first = containerId("cache-first");
        String second = containerId("cache-second");
        String third = containerId("cache-third");
        startedResolver();
        Pod pod = create(pod("infra", "redis-0", NODE, List.of(running("redis", "containerd://" + first))));
        String uid = pod.getMetadata().getUid();
        String firstPath = burstableScope(uid, "cri-containerd-", first);
        assertEquals("redis", awaitResolved(41, firstPath, "redis-0").container());

        updateStatus(pod, List.of(restarted("redis", "containerd://" + second, "containerd://" + first, 1)));
        String secondPath = burstableScope(uid, "cri-containerd-", second);
        Await.until(() -> resolver.resolve(42, secondPath).container().equals("redis"), () -> "name of the restarted container");
        assertEquals("redis", resolver.resolve(41, firstPath).container());

        // a second restart: the first id is in no status any more, but its cgroup was named once
        updateStatus(pod, List.of(restarted("redis", "containerd://" + third, "containerd://" + second, 2)));
        String thirdPath = burstableScope(uid, "cri-containerd-", third);
        Await.until(() -> resolver.resolve(43, thirdPath).container().equals("redis"), () -> "name after the second restart");

        assertEquals(new ContainerIdentity("infra", "redis-0", "redis", uid, first, "containerd", QosClass.BURSTABLE),
                resolver.resolve(41, firstPath));
        assertEquals("redis", resolver.resolve(42, secondPath).container());
    }

    @Test
    void deletedPodKeepsResolvingForTheGracePeriodThenFallsBackToThePath() {
        String id = containerId("web-nginx");
        startedResolver();
        Pod pod = create(pod("web", "nginx-5c7588df-9qwzl", NODE, List.of(running("nginx", "containerd://" + id))));
        String uid = pod.getMetadata().getUid();
        String path = burstableScope(uid, "cri-containerd-", id);
        ContainerIdentity named = awaitResolved(51, path, "nginx-5c7588df-9qwzl");

        api.delete(uid);
        Await.until(() -> pods.current(uid) != null && pods.current(uid).deleted(), () -> "delete event");

        clock.addAndGet(Duration.ofMinutes(4).toNanos());
        assertEquals(named, resolver.resolve(51, path), "within the grace period");
        assertEquals(named, resolver.resolve(52, path), "a cgroup first seen after the delete");

        clock.addAndGet(Duration.ofMinutes(2).toNanos());
        assertEquals(pathOnly(uid, id, "containerd"), resolver.resolve(51, path), "after the grace period");
    }

    @Test
    void builderGraceOfZeroStopsResolvingADeletedPodAtOnce() {
        String id = containerId("zero-grace");
        resolver = builder().deletedPodGrace(Duration.ZERO).build();
        resolver.start();
        Await.until(resolver::isSynced, () -> "pods listed");
        Pod pod = create(pod("web", "zero-grace-0", NODE, List.of(running("web", "containerd://" + id))));
        String uid = pod.getMetadata().getUid();
        String path = burstableScope(uid, "cri-containerd-", id);
        awaitResolved(53, path, "zero-grace-0");

        api.delete(uid);

        // with the default grace it would keep its names for five minutes
        Await.until(() -> resolver.resolve(53, path).equals(pathOnly(uid, id, "containerd")),
                () -> "the path only once the delete is seen, last " + resolver.resolve(53, path));
    }

    @Test
    void listsThisNodesPodsFromTheWatchCacheThenWatchesFromTheListsVersion() throws InterruptedException {
        long listedAt = api.resourceVersion();
        startedResolver();
        assertTrue(api.awaitWatches(1, Duration.ofSeconds(10)), "a watch was opened");

        List<String> requests = api.requests();
        // one list answered from the API server's watch cache (resourceVersion=0), not pages read through to etcd
        assertEquals("GET /api/v1/pods?fieldSelector=spec.nodeName=" + NODE + "&resourceVersion=0", requests.get(0));
        String watch = requests.get(1);
        assertTrue(watch.startsWith("GET /api/v1/pods?fieldSelector=spec.nodeName=" + NODE + "&watch=true&allowWatchBookmarks=true"
                + "&resourceVersion=" + listedAt + "&timeoutSeconds="), watch);
        int timeout = Integer.parseInt(watch.substring(watch.lastIndexOf('=') + 1));
        assertTrue(timeout >= 300 && timeout < 600, "client-go's spread of watch timeouts: " + watch);
        assertEquals(2, requests.size(), requests.toString());
        assertTrue(api.authorizations().stream().allMatch(String::isEmpty), "no service account, no token");
    }

    @Test
    void podOnAnotherNodeIsIgnoredEvenThoughTheMockIgnoresFieldSelectors() {
        String elsewhere = containerId("elsewhere");
        String here = containerId("here");
        api.ignoreFieldSelector(true);
        startedResolver();
        Pod other = create(pod("shop", "cart-0", OTHER_NODE, List.of(running("cart", "containerd://" + elsewhere))));
        Pod mine = create(pod("shop", "cart-1", NODE, List.of(running("cart", "containerd://" + here))));
        // events arrive in order: once the later pod is known, the earlier one has been seen and dropped
        awaitResolved(61, burstableScope(mine.getMetadata().getUid(), "cri-containerd-", here), "cart-1");

        String otherUid = other.getMetadata().getUid();
        assertEquals(pathOnly(otherUid, elsewhere, "containerd"),
                resolver.resolve(62, burstableScope(otherUid, "cri-containerd-", elsewhere)));
        // only this node's pods are kept
        assertNull(pods.current(otherUid), "the other node's pod is not indexed");
        assertEquals("cart-1", pods.current(mine.getMetadata().getUid()).name());
    }

    @Test
    void initAndEphemeralContainersResolveByName() {
        String init = containerId("migrate");
        String app = containerId("app");
        String debug = containerId("debugger-x7k2q");
        startedResolver();
        Pod pod = create(pod("orders", "orders-db-0", NODE, Map.of(),
                List.of(running("postgres", "containerd://" + app)),
                List.of(completed("migrate", "containerd://" + init)),
                List.of(running("debugger-x7k2q", "containerd://" + debug))));
        String uid = pod.getMetadata().getUid();

        assertEquals("postgres", awaitResolved(71, burstableScope(uid, "cri-containerd-", app), "orders-db-0").container());
        assertEquals("migrate", resolver.resolve(72, burstableScope(uid, "cri-containerd-", init)).container());
        assertEquals("debugger-x7k2q", resolver.resolve(73, burstableScope(uid, "cri-containerd-", debug)).container());
    }

    @Test
    void staticPodResolvesThroughItsMirrorPod() {
        // the kubelet names a static pod's cgroup by the manifest's hash; the mirror pod carries it as an annotation
        String configHash = "7c0b9f5d3e8a2b6c1d4e9f0a3b5c7d8e";
        String id = containerId("etcd");
        startedResolver();
        Pod mirror = create(pod("kube-system", "etcd-" + NODE, NODE,
                Map.of("kubernetes.io/config.mirror", configHash, "kubernetes.io/config.source", "file"),
                List.of(running("etcd", "containerd://" + id)), List.of(), List.of()));
        String path = "/kubepods.slice/kubepods-pod" + configHash + ".slice/cri-containerd-" + id + ".scope";

        ContainerIdentity identity = awaitResolved(81, path, "etcd-" + NODE);

        assertEquals(new ContainerIdentity("kube-system", "etcd-" + NODE, "etcd", mirror.getMetadata().getUid(), id, "containerd",
                QosClass.GUARANTEED), identity);
    }

    @Test
    void sandboxContainerIsLabelledPod() {
        String app = containerId("frontend");
        String pause = containerId("frontend-sandbox");
        startedResolver();
        Pod pod = create(pod("shop", "frontend-6b8f9-zzv5r", NODE, List.of(running("frontend", "containerd://" + app))));
        String uid = pod.getMetadata().getUid();
        awaitResolved(91, burstableScope(uid, "cri-containerd-", app), "frontend-6b8f9-zzv5r");

        ContainerIdentity sandbox = resolver.resolve(92, burstableScope(uid, "cri-containerd-", pause));

        assertEquals(new ContainerIdentity("shop", "frontend-6b8f9-zzv5r", KubernetesContainerResolver.SANDBOX_CONTAINER, uid, pause,
                "containerd", QosClass.BURSTABLE), sandbox);
    }

    @Test
    void cgroupsOutsidePodsKeepTheirUnitOrPath() {
        startedResolver();

        assertEquals(ContainerIdentity.nonPod("mariadb.service"), resolver.resolve(101, "/system.slice/mariadb.service"));
        assertEquals(ContainerIdentity.nonPod("kubelet.service"), resolver.resolve(102, "/system.slice/kubelet.service"));
        assertEquals(ContainerIdentity.nonPod("/"), resolver.resolve(1, "/"));
    }

    @Test
    void forbiddenListNamesTheClusterRoleRuleAndRecoversOnceGranted() {
        api.failNext(403, Integer.MAX_VALUE);
        String id = containerId("forbidden");
        Pod pod = create(pod("shop", "search-0", NODE, List.of(running("search", "containerd://" + id))));
        String uid = pod.getMetadata().getUid();
        String path = burstableScope(uid, "cri-containerd-", id);
        resolver = builder().build();

        resolver.start();
        Await.until(() -> resolver.status().state() == State.FORBIDDEN, () -> "FORBIDDEN, last " + resolver.status());

        String message = resolver.status().message();
        assertTrue(message.contains("apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\",\"list\",\"watch\"]"), message);
        assertTrue(message.contains("ClusterRole"), message);
        assertTrue(message.contains("403"), message);
        assertFalse(resolver.isSynced());
        assertEquals(pathOnly(uid, id, "containerd"), resolver.resolve(111, path));

        // RBAC granted later: the retries pick it up without a restart
        api.failNext(0, 0);
        assertEquals(new ContainerIdentity("shop", "search-0", "search", uid, id, "containerd", QosClass.BURSTABLE),
                awaitResolved(111, path, "search-0"));
        Await.until(() -> resolver.isSynced() && resolver.status().state() == State.SYNCED, () -> "synced, last " + resolver.status());
    }

    @Test
    void warmLookupsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        startedResolver();
        int containers = 40;
        String[] paths = new String[containers + 2];
        long[] ids = new long[paths.length];
        for (int p = 0; p < containers / 2; p++) {
            String a = containerId("alloc-a-" + p);
            String b = containerId("alloc-b-" + p);
            Pod pod = create(pod("load", "load-" + p, NODE, List.of(running("a", "containerd://" + a), running("b", "cri-o://" + b))));
            paths[2 * p] = burstableScope(pod.getMetadata().getUid(), "cri-containerd-", a);
            paths[2 * p + 1] = besteffortCgroupfs(pod.getMetadata().getUid(), b);
        }
        paths[containers] = "/system.slice/mariadb.service";
        paths[containers + 1] = burstableScope("0a6f1c52-5d1e-4d3b-a7a4-3e0b6f0c9d11", "cri-containerd-", containerId("unknown-pod"));
        for (int i = 0; i < paths.length; i++) {
            ids[i] = 7_000_000_000L + 104_729L * i;
        }
        awaitResolved(ids[containers - 1], paths[containers - 1], "load-" + (containers / 2 - 1));
        for (int round = 0; round < 2_000; round++) {
            lookUpAll(ids, paths);
        }

        // the least of a few measured rounds: the JIT now and then allocates a few bytes on this thread, the lookups never
        long leastAllocated = Long.MAX_VALUE;
        for (int measured = 0; measured < 5; measured++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int round = 0; round < 2_000; round++) {
                lookUpAll(ids, paths);
            }
            leastAllocated = Math.min(leastAllocated, threads.getCurrentThreadAllocatedBytes() - before);
        }

        assertEquals(0, leastAllocated, "bytes allocated by 84,000 warm lookups");
        assertEquals("b", resolver.resolve(ids[1], paths[1]).container());
        assertSame(resolver.resolve(ids[0], paths[0]), resolver.resolve(ids[0], paths[0]));
    }

    private void lookUpAll(long[] ids, String[] paths) {
        for (int i = 0; i < ids.length; i++) {
            if (resolver.resolve(ids[i], paths[i]) == null) {
                fail("no identity for " + paths[i]);
            }
        }
    }

    @Test
    void statusFollowsTheLifecycle() throws InterruptedException {
        resolver = builder().build();
        assertEquals(State.NOT_STARTED, resolver.status().state());

        resolver.start();
        Await.until(() -> resolver.status().state() == State.SYNCED, () -> "SYNCED, last " + resolver.status());
        Await.until(() -> api.openWatches() == 1, () -> "one watch open");
        resolver.close();

        assertEquals(State.CLOSED, resolver.status().state());
        assertFalse(resolver.isSynced());
        // the watch's connection is closed (the server finds out when it next writes to it), and nothing asks again
        Await.until(() -> {
            api.bookmark();
            return api.openWatches() == 0;
        }, () -> "the watch closed, open: " + api.openWatches());
        int requests = api.requests().size();
        api.dropWatches();
        Thread.sleep(1_500);
        assertEquals(requests, api.requests().size(), "no request after close: " + api.requests());
    }
}
