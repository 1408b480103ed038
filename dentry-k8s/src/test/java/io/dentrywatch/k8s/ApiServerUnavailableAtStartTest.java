package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.NODE;
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
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node boots before its API server answers (a control-plane node whose kube-apiserver static
 * pod is not up yet): the resolver starts anyway, labels what the paths give, and catches up.
 */
class ApiServerUnavailableAtStartTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    private final KubernetesMockServer server = new KubernetesMockServer(
            new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
    private KubernetesClient resolverClient;
    private KubernetesClient podsClient;
    private KubernetesContainerResolver resolver;

    @AfterEach
    void tearDown() {
        if (resolver != null) {
            resolver.close();
        }
        if (resolverClient != null) {
            resolverClient.close();
        }
        if (podsClient != null) {
            podsClient.close();
        }
        server.destroy();
    }

    @Test
    void startsWithoutTheApiServerLabelsByPathThenResolvesNamesOnceItComesUp() throws IOException {
        int port = freeLoopbackPort();
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl("http://" + LOOPBACK.getHostAddress() + ":" + port + "/")
                .withNamespace("default")
                .withHttp2Disable(true)
                // one try per list: the informer's own backoff does the retrying
                .withRequestRetryBackoffLimit(0)
                .build();
        KubernetesClientBuilder clientBuilder = new KubernetesClientBuilder().withConfig(config);
        new SelectorIgnoringMock().accept(clientBuilder);
        resolverClient = clientBuilder.build();
        String configHash = "3f2b8e1c9d7a4b6e0c5d2a8f1e7b9c4d";
        String apiServerId = containerId("kube-apiserver");
        String path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + configHash
                + ".slice/cri-containerd-" + apiServerId + ".scope";
        resolver = KubernetesContainerResolver.builder().client(resolverClient).nodeName(NODE).build();

        resolver.start();

        Await.until(() -> resolver.status().state() == State.UNAVAILABLE, () -> "UNAVAILABLE, last " + resolver.status());
        assertTrue(resolver.status().message().contains("unavailable"), resolver.status().message());
        assertFalse(resolver.isSynced());
        ContainerIdentity pathOnly = new ContainerIdentity("", configHash, apiServerId, configHash, apiServerId, "containerd",
                QosClass.BURSTABLE);
        assertEquals(pathOnly, resolver.resolve(7001, path));

        server.init(LOOPBACK, port);
        podsClient = server.createClient();
        Pod mirror = podsClient.pods().inNamespace("kube-system").resource(pod("kube-system", "kube-apiserver-" + NODE, NODE,
                Map.of("kubernetes.io/config.mirror", configHash), List.of(running("kube-apiserver", "containerd://" + apiServerId)),
                List.of(), List.of())).create();

        Await.until(() -> resolver.resolve(7001, path).pod().equals("kube-apiserver-" + NODE),
                () -> "names once the API server is up, last " + resolver.resolve(7001, path));
        assertEquals(new ContainerIdentity("kube-system", "kube-apiserver-" + NODE, "kube-apiserver", mirror.getMetadata().getUid(),
                apiServerId, "containerd", QosClass.BURSTABLE), resolver.resolve(7001, path));
        Await.until(() -> resolver.isSynced() && resolver.status().state() == State.SYNCED, () -> "SYNCED, last " + resolver.status());
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }

}
