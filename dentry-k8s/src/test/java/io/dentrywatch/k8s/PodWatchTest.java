package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.NODE;
import static io.dentrywatch.k8s.TestPods.OTHER_NODE;
import static io.dentrywatch.k8s.TestPods.burstableScope;
import static io.dentrywatch.k8s.TestPods.containerId;
import static io.dentrywatch.k8s.TestPods.pod;
import static io.dentrywatch.k8s.TestPods.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.cgroup.ContainerIdentity.QosClass;
import io.dentrywatch.k8s.KubernetesContainerResolver.State;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The list-and-watch against what a real API server does to it: it is down at first, drops watches, forgets old
 * versions, sends bookmarks, wants a rotating token over TLS.
 */
class PodWatchTest {

    private static final Path NO_SERVICE_ACCOUNT = Path.of("/nonexistent/serviceaccount");

    private FakeApiServer api;
    private KubernetesContainerResolver resolver;

    @AfterEach
    void tearDown() {
        if (resolver != null) {
            resolver.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private KubernetesContainerResolver started(URI server, Path serviceAccount) {
        resolver = KubernetesContainerResolver.builder().apiServer(server).serviceAccount(serviceAccount).nodeName(NODE).build();
        resolver.start();
        return resolver;
    }

    private static String path(Pod pod, String id) {
        return burstableScope(pod.getMetadata().getUid(), "cri-containerd-", id);
    }

    private void awaitContainer(long cgroupId, String path, String container) {
        Await.until(() -> resolver.resolve(cgroupId, path).container().equals(container),
                () -> container + " for " + path + ", last " + resolver.resolve(cgroupId, path));
    }

    private long lists() {
        return api.requests().stream().filter(r -> r.contains("resourceVersion=0")).count();
    }

    @Test
    void startsWithoutTheApiServerLabelsByPathThenResolvesNamesOnceItComesUp() throws IOException {
        api = FakeApiServer.start();
        api.goDown();
        String configHash = "3f2b8e1c9d7a4b6e0c5d2a8f1e7b9c4d";
        String apiServerId = containerId("kube-apiserver");
        String path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + configHash
                + ".slice/cri-containerd-" + apiServerId + ".scope";

        started(api.uri(), NO_SERVICE_ACCOUNT);

        Await.until(() -> resolver.status().state() == State.UNAVAILABLE, () -> "UNAVAILABLE, last " + resolver.status());
        assertTrue(resolver.status().message().contains("the Kubernetes API is unavailable (ConnectException"), resolver.status().message());
        assertFalse(resolver.isSynced());
        assertEquals(new ContainerIdentity("", configHash, apiServerId, configHash, apiServerId, "containerd", QosClass.BURSTABLE),
                resolver.resolve(7001, path));

        // the control plane's static pod comes up, and with it the API server
        Pod mirror = api.put(pod("kube-system", "kube-apiserver-" + NODE, NODE, Map.of(PodRecord.MIRROR_ANNOTATION, configHash),
                List.of(running("kube-apiserver", "containerd://" + apiServerId)), List.of(), List.of()));
        api.comeBack();

        awaitContainer(7001, path, "kube-apiserver");
        assertEquals(new ContainerIdentity("kube-system", "kube-apiserver-" + NODE, "kube-apiserver", mirror.getMetadata().getUid(),
                apiServerId, "containerd", QosClass.BURSTABLE), resolver.resolve(7001, path));
        Await.until(() -> resolver.isSynced() && resolver.status().state() == State.SYNCED, () -> "SYNCED, last " + resolver.status());
    }

    @Test
    void aDroppedWatchResumesFromTheLastVersionItSawWithoutAListAndMissesNothing() throws Exception {
        api = FakeApiServer.start();
        String first = containerId("resume-first");
        String second = containerId("resume-second");
        Pod before = api.put(pod("shop", "cart-0", NODE, List.of(running("cart", "containerd://" + first))));
        started(api.uri(), NO_SERVICE_ACCOUNT);
        awaitContainer(1, path(before, first), "cart");
        assertTrue(api.awaitWatches(1, Duration.ofSeconds(10)));
        long seen = api.resourceVersion();

        api.goDown();
        // changed while the watch was down: the replay from the last version brings it
        Pod during = api.put(pod("shop", "cart-1", NODE, List.of(running("cart", "containerd://" + second))));
        api.comeBack();

        awaitContainer(2, path(during, second), "cart");
        assertEquals(1, lists(), "resumed without a new list: " + api.requests());
        String resumed = api.requests().getLast();
        assertTrue(resumed.contains("watch=true") && resumed.contains("resourceVersion=" + seen + "&"), resumed);
        Await.until(() -> resolver.status().state() == State.SYNCED, () -> "SYNCED again, last " + resolver.status());
    }

    @Test
    void aVersionTheServerForgotMeansANewListThatFindsWhatWasDeletedMeanwhile() throws Exception {
        api = FakeApiServer.start();
        String kept = containerId("expired-kept");
        String gone = containerId("expired-gone");
        Pod keptPod = api.put(pod("shop", "kept-0", NODE, List.of(running("app", "containerd://" + kept))));
        Pod gonePod = api.put(pod("shop", "gone-0", NODE, List.of(running("app", "containerd://" + gone))));
        WiredResolver wired = WiredResolver.on(api.uri());
        resolver = wired.resolver();
        resolver.start();
        awaitContainer(1, path(gonePod, gone), "app");
        assertTrue(api.awaitWatches(1, Duration.ofSeconds(10)));

        // the watch breaks, the pod goes, and the server's history no longer reaches back to our version
        api.goDown();
        api.delete(gonePod.getMetadata().getUid());
        api.expireHistory();
        api.comeBack();

        Await.until(() -> lists() == 2, () -> "a second list after 410 Gone: " + api.requests());
        String goneUid = gonePod.getMetadata().getUid();
        Await.until(() -> wired.pods().current(goneUid).deleted(), () -> "the relist marks the pod deleted");
        assertFalse(wired.pods().current(keptPod.getMetadata().getUid()).deleted());
        assertEquals("app", resolver.resolve(2, path(keptPod, kept)).container());
        assertEquals("gone-0", resolver.resolve(1, path(gonePod, gone)).pod(), "a deleted pod keeps its names for the grace period");
        assertTrue(api.requests().stream().anyMatch(r -> r.contains("watch=true")), api.requests().toString());
    }

    @Test
    void aBookmarkMovesTheVersionTheNextWatchStartsFrom() throws Exception {
        api = FakeApiServer.start();
        started(api.uri(), NO_SERVICE_ACCOUNT);
        assertTrue(api.awaitWatches(1, Duration.ofSeconds(10)));
        // pods of another node move the version on without an event for this node's watch
        api.put(pod("shop", "elsewhere-0", OTHER_NODE, List.of()));
        api.put(pod("shop", "elsewhere-1", OTHER_NODE, List.of()));
        long bookmarked = api.resourceVersion();
        api.bookmark();
        Thread.sleep(200);

        api.dropWatches();

        Await.until(() -> api.requests().getLast().contains("resourceVersion=" + bookmarked + "&"),
                () -> "a watch from the bookmark's version " + bookmarked + ": " + api.requests());
        assertEquals(1, lists());
    }

    @Test
    void overTlsItTrustsTheServiceAccountsCaAndSendsTheTokenItReadsForEachRequest(@TempDir Path dir) throws Exception {
        Path serviceAccount = Files.createDirectories(dir.resolve("serviceaccount"));
        api = FakeApiServer.startTls(dir);
        Files.copy(dir.resolve("ca.crt"), serviceAccount.resolve("ca.crt"));
        Files.writeString(serviceAccount.resolve("token"), "token-1\n");
        api.requireToken("token-1");
        String id = containerId("tls");
        Pod pod = api.put(pod("shop", "tls-0", NODE, List.of(running("app", "containerd://" + id))));

        started(URI.create("https://127.0.0.1:" + api.port()), serviceAccount);

        awaitContainer(1, path(pod, id), "app");
        assertEquals("Bearer token-1", api.authorizations().getFirst());
        // the kubelet rotates the token in place; the server stops taking the old one
        Files.writeString(serviceAccount.resolve("token"), "token-2\n");
        api.requireToken("token-2");
        api.dropWatches();
        Await.until(() -> api.authorizations().getLast().equals("Bearer token-2") && api.openWatches() == 1,
                () -> "a new watch with the new token: " + api.authorizations());
        // the JDK's HTTPS server holds the watch's headers back until its first bytes: send some
        Await.until(() -> {
            api.bookmark();
            return resolver.status().state() == State.SYNCED;
        }, () -> "SYNCED, last " + resolver.status());
    }

    @Test
    void aTokenTheServerRefusesSaysSo(@TempDir Path serviceAccount) throws Exception {
        api = FakeApiServer.start();
        Files.writeString(serviceAccount.resolve("token"), "expired");
        api.requireToken("current");

        started(api.uri(), serviceAccount);

        Await.until(() -> resolver.status().message().contains("did not accept this pod's service account token"),
                () -> "the 401 explained, last " + resolver.status());
        assertEquals(State.UNAVAILABLE, resolver.status().state());
    }
}
