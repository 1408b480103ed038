package io.dentrywatch.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in API server against a bare HttpURLConnection client, so its protocol is checked without dentrywatch's client. */
class FakeApiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String ON_NODE_A = "fieldSelector=spec.nodeName%3D" + TestPods.NODE;
    private static final String ON_NODE_B = "fieldSelector=spec.nodeName%3D" + TestPods.OTHER_NODE;

    @Test
    void listsThePodsOnTheSelectedNode() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            api.put(pod("a", TestPods.NODE));
            api.put(pod("b", TestPods.OTHER_NODE));

            HttpURLConnection list = get(api, ON_NODE_A + "&resourceVersion=0");

            assertEquals(200, list.getResponseCode());
            JsonNode body = JSON.readTree(list.getInputStream());
            assertEquals("PodList", body.path("kind").asText());
            assertEquals(Long.toString(api.resourceVersion()), body.path("metadata").path("resourceVersion").asText());
            assertEquals(List.of("a"), names(body.path("items")));
            assertEquals(List.of("GET /api/v1/pods?fieldSelector=spec.nodeName=node-a&resourceVersion=0"), api.requests());
            assertEquals(List.of(""), api.authorizations());
        }
    }

    @Test
    void ignoringTheFieldSelectorListsEveryPod() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            api.put(pod("a", TestPods.NODE));
            api.put(pod("b", TestPods.OTHER_NODE));
            api.ignoreFieldSelector(true);

            HttpURLConnection list = get(api, ON_NODE_A);

            assertEquals(List.of("a", "b"), names(JSON.readTree(list.getInputStream()).path("items")));
        }
    }

    @Test
    void putGivesAUidAndTheNextResourceVersion() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            long before = api.resourceVersion();

            Pod stored = api.put(pod("a", TestPods.NODE));

            assertEquals(36, stored.getMetadata().getUid().length());
            assertEquals(Long.toString(before + 1), stored.getMetadata().getResourceVersion());
            assertEquals(before + 1, api.resourceVersion());
        }
    }

    @Test
    void watchStreamsAddedModifiedDeletedInOrder() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            HttpURLConnection watch = get(api, ON_NODE_A + "&watch=true&resourceVersion=" + api.resourceVersion()
                    + "&allowWatchBookmarks=true&timeoutSeconds=30");
            assertEquals(200, watch.getResponseCode());
            assertEquals("chunked", watch.getHeaderField("Transfer-Encoding"));
            assertEquals("application/json", watch.getContentType());
            BufferedReader events = lines(watch);
            assertTrue(api.awaitWatches(1, WAIT));

            Pod added = api.put(pod("a", TestPods.NODE));
            api.put(pod("elsewhere", TestPods.OTHER_NODE));
            api.put(new PodBuilder(added).editMetadata().addToLabels("app", "shop").endMetadata().build());
            api.delete(added.getMetadata().getUid());

            List<JsonNode> seen = List.of(next(events), next(events), next(events));
            assertEquals(List.of("ADDED", "MODIFIED", "DELETED"), seen.stream().map(e -> e.path("type").asText()).toList());
            List<Long> versions = seen.stream().map(FakeApiServerTest::resourceVersion).toList();
            assertTrue(versions.get(0) < versions.get(1) && versions.get(1) < versions.get(2), versions::toString);
            assertEquals(api.resourceVersion(), versions.get(2));
            assertTrue(seen.stream().allMatch(e -> added.getMetadata().getUid().equals(e.path("object").path("metadata").path("uid").asText())));
            assertEquals("shop", seen.get(2).path("object").path("metadata").path("labels").path("app").asText());
        }
    }

    @Test
    void watchReplaysTheHistoryAfterItsResourceVersion() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            long first = Long.parseLong(api.put(pod("a", TestPods.NODE)).getMetadata().getResourceVersion());
            api.put(pod("b", TestPods.NODE));
            api.put(pod("c", TestPods.NODE));

            BufferedReader fromFirst = lines(get(api, ON_NODE_A + "&watch=true&resourceVersion=" + first));
            BufferedReader fromZero = lines(get(api, ON_NODE_A + "&watch=1&resourceVersion=0"));
            assertTrue(api.awaitWatches(2, WAIT));
            api.put(pod("d", TestPods.NODE));

            assertEquals(List.of("ADDED b", "ADDED c", "ADDED d"), List.of(summary(next(fromFirst)), summary(next(fromFirst)),
                    summary(next(fromFirst))));
            assertEquals("ADDED d", summary(next(fromZero)));
        }
    }

    @Test
    void aPodMovingOffTheNodeArrivesAsDeletedAndOntoTheOtherAsAdded() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            Pod onA = api.put(pod("a", TestPods.NODE));
            String from = Long.toString(api.resourceVersion());
            BufferedReader nodeA = lines(get(api, ON_NODE_A + "&watch=true&resourceVersion=" + from));
            BufferedReader nodeB = lines(get(api, ON_NODE_B + "&watch=true&resourceVersion=" + from));
            assertTrue(api.awaitWatches(2, WAIT));

            api.put(new PodBuilder(onA).editSpec().withNodeName(TestPods.OTHER_NODE).endSpec().build());

            JsonNode gone = next(nodeA);
            assertEquals("DELETED a", summary(gone));
            // like kube-apiserver: the last state that matched, at the change's resourceVersion
            assertEquals(TestPods.NODE, gone.path("object").path("spec").path("nodeName").asText());
            assertEquals(api.resourceVersion(), resourceVersion(gone));
            JsonNode arrived = next(nodeB);
            assertEquals("ADDED a", summary(arrived));
            assertEquals(TestPods.OTHER_NODE, arrived.path("object").path("spec").path("nodeName").asText());
        }
    }

    @Test
    void bookmarksGoOnlyToWatchesThatAskedForThem() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            String from = Long.toString(api.resourceVersion());
            BufferedReader asked = lines(get(api, ON_NODE_A + "&watch=true&allowWatchBookmarks=true&resourceVersion=" + from));
            BufferedReader notAsked = lines(get(api, ON_NODE_A + "&watch=true&resourceVersion=" + from));
            assertTrue(api.awaitWatches(2, WAIT));

            api.bookmark();
            api.put(pod("a", TestPods.NODE));

            JsonNode bookmark = next(asked);
            assertEquals("BOOKMARK", bookmark.path("type").asText());
            assertEquals(Long.parseLong(from), resourceVersion(bookmark));
            assertEquals("ADDED a", summary(next(asked)));
            assertEquals("ADDED a", summary(next(notAsked)));
        }
    }

    @Test
    void aWatchFromExpiredHistoryGetsOne410ErrorAndEnds() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            api.put(pod("a", TestPods.NODE));
            long old = api.resourceVersion();
            api.put(pod("b", TestPods.NODE));
            api.expireHistory();

            HttpURLConnection watch = get(api, ON_NODE_A + "&watch=true&resourceVersion=" + old);
            assertEquals(200, watch.getResponseCode());
            BufferedReader events = lines(watch);

            JsonNode error = next(events);
            assertEquals("ERROR", error.path("type").asText());
            assertEquals(410, error.path("object").path("code").asInt());
            assertEquals("Expired", error.path("object").path("reason").asText());
            assertEquals("too old resource version: " + old + " (" + api.resourceVersion() + ")",
                    error.path("object").path("message").asText());
            assertNull(events.readLine());
            // from the current resourceVersion nothing is missing
            lines(get(api, ON_NODE_A + "&watch=true&resourceVersion=" + api.resourceVersion()));
            assertTrue(api.awaitWatches(1, WAIT));
        }
    }

    @Test
    void timeoutSecondsEndsTheStreamCleanly() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            long start = System.nanoTime();
            BufferedReader events = lines(get(api, ON_NODE_A + "&watch=true&resourceVersion=" + api.resourceVersion()
                    + "&timeoutSeconds=1"));

            assertNull(events.readLine());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(Duration.ofMillis(900)) > 0 && took.compareTo(WAIT) < 0, took::toString);
            assertEquals(0, api.openWatches());
        }
    }

    @Test
    void droppedWatchesEndWithoutTheFinalChunk() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            BufferedReader events = lines(get(api, ON_NODE_A + "&watch=true&resourceVersion=" + api.resourceVersion()));
            assertTrue(api.awaitWatches(1, WAIT));

            api.dropWatches();

            assertEquals(0, api.openWatches());
            assertThrows(IOException.class, events::readLine);
        }
    }

    @Test
    void failNextFailsThatManyRequestsWithAStatus() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            api.failNext(403, 1);

            HttpURLConnection refused = get(api, ON_NODE_A);
            assertEquals(403, refused.getResponseCode());
            JsonNode status = JSON.readTree(refused.getErrorStream());
            assertEquals("Status", status.path("kind").asText());
            assertEquals("Failure", status.path("status").asText());
            assertEquals("Forbidden", status.path("reason").asText());
            assertEquals(403, status.path("code").asInt());
            assertEquals("pods is forbidden: User \"system:serviceaccount:monitoring:dentrywatch\" cannot list resource"
                    + " \"pods\" in API group \"\" at the cluster scope", status.path("message").asText());
            assertEquals(200, get(api, ON_NODE_A).getResponseCode());
        }
    }

    @Test
    void requireTokenAnswers401WithoutTheBearerToken() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            api.requireToken("s3cret");

            HttpURLConnection anonymous = get(api, ON_NODE_A);
            assertEquals(401, anonymous.getResponseCode());
            assertEquals("Unauthorized", JSON.readTree(anonymous.getErrorStream()).path("reason").asText());
            HttpURLConnection wrong = get(api, ON_NODE_A, "Bearer other");
            assertEquals(401, wrong.getResponseCode());
            HttpURLConnection authorized = get(api, ON_NODE_A, "Bearer s3cret");
            assertEquals(200, authorized.getResponseCode());
            assertEquals(List.of("", "Bearer other", "Bearer s3cret"), api.authorizations());
        }
    }

    @Test
    void goDownRefusesConnectionsAndComeBackServesTheSameStateOnTheSamePort() throws Exception {
        try (FakeApiServer api = FakeApiServer.start()) {
            api.put(pod("a", TestPods.NODE));
            int port = api.port();
            BufferedReader events = lines(get(api, ON_NODE_A + "&watch=true&resourceVersion=" + api.resourceVersion()));
            assertTrue(api.awaitWatches(1, WAIT));

            api.goDown();

            assertThrows(IOException.class, events::readLine);
            assertThrows(ConnectException.class, () -> get(api, ON_NODE_A).getResponseCode());
            api.put(pod("b", TestPods.NODE));

            api.comeBack();

            assertEquals(port, api.port());
            JsonNode list = JSON.readTree(get(api, ON_NODE_A).getInputStream());
            assertEquals(List.of("a", "b"), names(list.path("items")));
            assertEquals(Long.toString(api.resourceVersion()), list.path("metadata").path("resourceVersion").asText());
        }
    }

    @Test
    void tlsIsTrustedThroughCaCrtFor127001(@TempDir Path dir) throws Exception {
        try (FakeApiServer api = FakeApiServer.startTls(dir)) {
            api.put(pod("a", TestPods.NODE));
            assertEquals("https", api.uri().getScheme());
            assertEquals("127.0.0.1", api.uri().getHost());
            SSLContext trusting = trusting(dir.resolve("ca.crt"));

            HttpsURLConnection list = (HttpsURLConnection) api.uri().resolve("/api/v1/pods?" + ON_NODE_A).toURL()
                    .openConnection(Proxy.NO_PROXY);
            list.setSSLSocketFactory(trusting.getSocketFactory());
            assertEquals(200, list.getResponseCode());
            assertEquals(List.of("a"), names(JSON.readTree(list.getInputStream()).path("items")));

            // a watch streams over TLS too
            HttpsURLConnection watch = (HttpsURLConnection) api.uri().resolve("/api/v1/pods?" + ON_NODE_A
                    + "&watch=true&resourceVersion=" + api.resourceVersion()).toURL().openConnection(Proxy.NO_PROXY);
            watch.setSSLSocketFactory(trusting.getSocketFactory());
            watch.setReadTimeout((int) WAIT.toMillis());
            BufferedReader events = lines(watch);
            assertTrue(api.awaitWatches(1, WAIT));
            api.put(pod("b", TestPods.NODE));
            assertEquals("ADDED b", summary(next(events)));

            // the JDK's default trust store does not know the certificate
            HttpsURLConnection untrusting = (HttpsURLConnection) api.uri().resolve("/api/v1/pods").toURL()
                    .openConnection(Proxy.NO_PROXY);
            assertThrows(SSLHandshakeException.class, untrusting::getResponseCode);
        }
    }

    private static Pod pod(String name, String node) {
        return TestPods.pod("shop", name, node, List.of(TestPods.running("app", "containerd://" + TestPods.containerId(name))));
    }

    private static HttpURLConnection get(FakeApiServer api, String query) throws IOException {
        return get(api, query, null);
    }

    private static HttpURLConnection get(FakeApiServer api, String query, String authorization) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) api.uri().resolve("/api/v1/pods?" + query).toURL()
                .openConnection(Proxy.NO_PROXY);
        connection.setConnectTimeout((int) WAIT.toMillis());
        // a stuck watch fails the test instead of hanging it
        connection.setReadTimeout((int) WAIT.toMillis());
        if (authorization != null) {
            connection.setRequestProperty("Authorization", authorization);
        }
        return connection;
    }

    private static BufferedReader lines(HttpURLConnection connection) throws IOException {
        InputStream body = connection.getInputStream();
        return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    private static JsonNode next(BufferedReader events) throws IOException {
        String line = events.readLine();
        if (line == null) {
            throw new IOException("the watch ended");
        }
        return JSON.readTree(line);
    }

    private static String summary(JsonNode event) {
        return event.path("type").asText() + " " + event.path("object").path("metadata").path("name").asText();
    }

    private static long resourceVersion(JsonNode event) {
        return Long.parseLong(event.path("object").path("metadata").path("resourceVersion").asText());
    }

    private static List<String> names(JsonNode items) {
        List<String> names = new ArrayList<>();
        items.forEach(item -> names.add(item.path("metadata").path("name").asText()));
        return names;
    }

    private static SSLContext trusting(Path caCrt) throws Exception {
        Certificate ca;
        try (InputStream in = Files.newInputStream(caCrt)) {
            ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("apiserver", ca);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
