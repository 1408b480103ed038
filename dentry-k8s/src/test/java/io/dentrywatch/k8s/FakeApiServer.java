package io.dentrywatch.k8s;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Stands in for kube-apiserver's {@code /api/v1/pods} as a node-local list-and-watch client talks to it: a LIST
 * answered with a PodList, and a WATCH answered as kube-apiserver answers it over plain HTTP, a chunked response of
 * {@code {"type":...,"object":...}} events one per line (fabric8's mock server only speaks WebSocket watches).
 * Selection by {@code spec.nodeName}, resuming from a resourceVersion, 410 Expired, bookmarks, {@code timeoutSeconds},
 * bearer tokens and TLS behave like the real server; failed requests, dropped watches and an outage can be scripted.
 */
final class FakeApiServer implements AutoCloseable {

    private static final String PODS_PATH = "/api/v1/pods";
    private static final String NODE_SELECTOR = "spec.nodeName=";
    private static final String LOOPBACK = "127.0.0.1";
    private static final long FIRST_RESOURCE_VERSION = 1000;
    private static final String KEY_ALIAS = "fake-apiserver";
    private static final String KEYSTORE_PASSWORD = "fake-apiserver";
    private static final String FORBIDDEN_MESSAGE = "pods is forbidden: User \"system:serviceaccount:monitoring:dentrywatch\""
            + " cannot list resource \"pods\" in API group \"\" at the cluster scope";
    private static final Duration REBIND_PATIENCE = Duration.ofSeconds(5);

    private final KubernetesSerialization json = new KubernetesSerialization();
    private final SSLContext tls;
    private final AtomicInteger threads = new AtomicInteger();
    // the default executor is one thread, and every open watch holds a thread
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "fake-apiserver-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    // everything below is guarded by lock
    private final Object lock = new Object();
    private HttpServer server;
    private int port;
    private final Map<String, Stored> pods = new LinkedHashMap<>();
    private long resourceVersion = FIRST_RESOURCE_VERSION;
    private final List<Change> history = new ArrayList<>();
    private long expiredThrough;
    private final List<Watch> watches = new ArrayList<>();
    private final List<String> requests = new ArrayList<>();
    private final List<String> authorizations = new ArrayList<>();
    private String token;
    private boolean ignoreFieldSelector;
    private int failStatus;
    private int failTimes;
    private boolean closed;

    private FakeApiServer(SSLContext tls) {
        this.tls = tls;
    }

    /** Plain HTTP on 127.0.0.1, an ephemeral port. */
    static FakeApiServer start() throws IOException {
        FakeApiServer api = new FakeApiServer(null);
        api.listen(0);
        return api;
    }

    /**
     * HTTPS on 127.0.0.1, an ephemeral port, with a self-signed certificate for IP 127.0.0.1 and DNS localhost made
     * by the JDK's keytool into {@code dir}; the certificate is in {@code dir/ca.crt} as PEM, where a pod finds its
     * cluster's CA.
     */
    static FakeApiServer startTls(Path dir) throws IOException {
        FakeApiServer api = new FakeApiServer(selfSigned(dir));
        api.listen(0);
        return api;
    }

    URI uri() {
        return URI.create((tls == null ? "http" : "https") + "://" + LOOPBACK + ":" + port());
    }

    int port() {
        synchronized (lock) {
            return port;
        }
    }

    /** Requests without {@code Authorization: Bearer <token>} get 401 from now on; null accepts any request again. */
    void requireToken(String token) {
        synchronized (lock) {
            this.token = token;
        }
    }

    /**
     * Lists and watches asked for from now on return every pod, as some proxies and fabric8's mock do; a watch
     * keeps the selection it was opened with.
     */
    void ignoreFieldSelector(boolean ignore) {
        synchronized (lock) {
            this.ignoreFieldSelector = ignore;
        }
    }

    /**
     * Stores a copy of the pod under its uid (a random one if it has none) with the next resourceVersion, records
     * ADDED or MODIFIED and sends it to the open watches it concerns.
     *
     * @return the stored copy: its uid and resourceVersion as the server gave them
     */
    Pod put(Pod pod) {
        Pod stored = copy(pod);
        if (stored.getMetadata() == null) {
            stored.setMetadata(new ObjectMeta());
        }
        ObjectMeta metadata = stored.getMetadata();
        if (metadata.getUid() == null || metadata.getUid().isEmpty()) {
            metadata.setUid(UUID.randomUUID().toString());
        }
        String node = stored.getSpec() == null ? null : stored.getSpec().getNodeName();
        synchronized (lock) {
            long version = ++resourceVersion;
            metadata.setResourceVersion(Long.toString(version));
            String object = json.asJson(stored);
            Stored before = pods.put(metadata.getUid(), new Stored(object, node));
            record(before == null
                    ? new Change(version, object, node, null, null)
                    : new Change(version, object, node, withResourceVersion(before.json(), version), before.node()));
        }
        return copy(stored);
    }

    /** Removes the pod, records DELETED with its last state at a new resourceVersion and sends it to the watches it concerns. */
    void delete(String uid) {
        synchronized (lock) {
            Stored gone = pods.remove(uid);
            if (gone == null) {
                throw new IllegalArgumentException("no pod with uid " + uid);
            }
            long version = ++resourceVersion;
            // kube-apiserver's DELETED carries the last state stamped with the deletion's resourceVersion
            record(new Change(version, null, null, withResourceVersion(gone.json(), version), gone.node()));
        }
    }

    /** Sends a BOOKMARK at the current resourceVersion to the open watches that asked for bookmarks. */
    void bookmark() {
        synchronized (lock) {
            String line = event("BOOKMARK",
                    "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\"}}");
            watches.removeIf(watch -> watch.bookmarks && !watch.send(line));
        }
    }

    /**
     * Forgets the event history, as etcd compaction and the watch cache's bounded window do: a watch from an
     * older resourceVersion than the current one then gets 410 Expired.
     */
    void expireHistory() {
        synchronized (lock) {
            history.clear();
            expiredThrough = resourceVersion;
        }
    }

    /** The next {@code times} requests, whatever they ask, get {@code httpStatus} with a Kubernetes Status body. */
    void failNext(int httpStatus, int times) {
        synchronized (lock) {
            failStatus = httpStatus;
            failTimes = times;
        }
    }

    /** Ends every open watch response abruptly, without the final chunk: the client reads an IOException or EOF. */
    void dropWatches() {
        synchronized (lock) {
            endWatches(true);
        }
    }

    /** Stops listening, so connections are refused, and drops the open watches; the pods and history stay. */
    void goDown() {
        HttpServer stopping;
        synchronized (lock) {
            stopping = server;
            server = null;
            endWatches(true);
        }
        if (stopping != null) {
            stopping.stop(0);
        }
    }

    /** Listens again on the same port with the same state. */
    void comeBack() throws IOException {
        int samePort;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (server != null) {
                return;
            }
            samePort = port;
        }
        long deadline = System.nanoTime() + REBIND_PATIENCE.toNanos();
        while (true) {
            try {
                listen(samePort);
                return;
            } catch (BindException e) {
                // the old socket can take a moment to let go of the port
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted rebinding port " + samePort, interrupted);
                }
            }
        }
    }

    /** Each request's method and URL-decoded path and query, e.g. {@code GET /api/v1/pods?fieldSelector=spec.nodeName=node-a}. */
    List<String> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** Each request's Authorization header, "" where it had none. */
    List<String> authorizations() {
        synchronized (lock) {
            return List.copyOf(authorizations);
        }
    }

    int openWatches() {
        synchronized (lock) {
            return watches.size();
        }
    }

    long resourceVersion() {
        synchronized (lock) {
            return resourceVersion;
        }
    }

    /** Waits until at least {@code n} watches are open (each has had its replay). */
    boolean awaitWatches(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (watches.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** Ends the open watches cleanly and stops the server; a second call does nothing. */
    @Override
    public void close() {
        HttpServer stopping;
        List<Watch> ending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            stopping = server;
            server = null;
            ending = List.copyOf(watches);
            endWatches(false);
        }
        try {
            // the watches' final chunks go out before the server closes their connections
            for (Watch watch : ending) {
                watch.finished.await(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopping != null) {
            stopping.stop(0);
        }
        executor.shutdownNow();
    }

    private void listen(int onPort) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(LOOPBACK), onPort);
        HttpServer created;
        if (tls == null) {
            created = HttpServer.create(address, 0);
        } else {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            created = https;
        }
        created.createContext("/", this::handle);
        created.setExecutor(executor);
        synchronized (lock) {
            if (closed) {
                created.stop(0);
                throw new IllegalStateException("closed");
            }
            server = created;
            port = created.getAddress().getPort();
            created.start();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        int failure = 0;
        String expectedToken;
        boolean ignoreSelector;
        synchronized (lock) {
            requests.add(method + " " + uri.getPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getQuery()));
            authorizations.add(authorization == null ? "" : authorization);
            if (failTimes > 0) {
                failTimes--;
                failure = failStatus;
            }
            expectedToken = token;
            ignoreSelector = ignoreFieldSelector;
        }
        if (failure != 0) {
            sendStatus(exchange, failure, scriptedMessage(failure));
            return;
        }
        if (expectedToken != null && !("Bearer " + expectedToken).equals(authorization)) {
            sendStatus(exchange, 401, "Unauthorized");
            return;
        }
        if (!PODS_PATH.equals(uri.getPath())) {
            sendStatus(exchange, 404, "the server could not find the requested resource");
            return;
        }
        if (!"GET".equals(method)) {
            sendStatus(exchange, 405, "the server does not allow this method on the requested resource");
            return;
        }
        Map<String, String> query = query(uri.getRawQuery());
        String selector = query.getOrDefault("fieldSelector", "");
        if (!selector.isEmpty() && !selector.startsWith(NODE_SELECTOR)) {
            // the one selector form a node-local client sends; anything else is a mistake in the test
            sendStatus(exchange, 400, "field label not supported by this fake: " + selector);
            return;
        }
        String node = selector.isEmpty() || ignoreSelector ? null : selector.substring(NODE_SELECTOR.length());
        String watch = query.get("watch");
        if ("true".equals(watch) || "1".equals(watch)) {
            watch(exchange, node, query);
        } else {
            list(exchange, node);
        }
    }

    private void list(HttpExchange exchange, String node) throws IOException {
        StringJoiner items = new StringJoiner(",", "[", "]");
        long version;
        synchronized (lock) {
            version = resourceVersion;
            for (Stored pod : pods.values()) {
                if (node == null || node.equals(pod.node())) {
                    items.add(pod.json());
                }
            }
        }
        send(exchange, 200, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" + version
                + "\"},\"items\":" + items + "}");
    }

    private void watch(HttpExchange exchange, String node, Map<String, String> query) throws IOException {
        String from = query.getOrDefault("resourceVersion", "");
        long since;
        long timeoutSeconds;
        try {
            since = from.isEmpty() ? 0 : Long.parseLong(from);
            timeoutSeconds = Long.parseLong(query.getOrDefault("timeoutSeconds", "0"));
        } catch (NumberFormatException e) {
            sendStatus(exchange, 400, "invalid resourceVersion or timeoutSeconds: " + e.getMessage());
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        // length 0: chunked transfer encoding, as kube-apiserver streams a watch
        exchange.sendResponseHeaders(200, 0);
        // com.sun's server holds the headers back until the first chunk; kube-apiserver sends them at once
        exchange.getResponseBody().flush();
        Watch watch = new Watch(exchange.getResponseBody(), node, "true".equals(query.get("allowWatchBookmarks")));
        synchronized (lock) {
            if (closed) {
                exchange.close();
                return;
            }
            if (since != 0 && since < expiredThrough) {
                // kube-apiserver's watch cache answers 200 and then a single ERROR event; the number in parentheses is
                // the newest resourceVersion it no longer has
                watch.send(event("ERROR", "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"too old resource version: " + since + " (" + expiredThrough + ")\","
                        + "\"reason\":\"Expired\",\"code\":410}"));
                exchange.close();
                return;
            }
            // resourceVersion 0 or absent replays nothing here; kube-apiserver would first send the current pods as
            // ADDED, which a list-then-watch client never asks for
            if (since != 0) {
                for (Change change : history) {
                    String line = change.resourceVersion() > since ? watch.lineFor(change) : null;
                    if (line != null && !watch.send(line)) {
                        break;
                    }
                }
            }
            if (watch.isOpen()) {
                watches.add(watch);
                lock.notifyAll();
            }
        }
        boolean interrupted = false;
        try {
            if (timeoutSeconds > 0) {
                watch.ended.await(timeoutSeconds, TimeUnit.SECONDS);
            } else {
                watch.ended.await();
            }
        } catch (InterruptedException e) {
            interrupted = true;
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            watches.remove(watch);
        }
        watch.stop();
        try {
            if (interrupted || watch.abrupt) {
                // com.sun's server closes the connection without the final chunk when a handler throws
                throw new IOException("watch dropped");
            }
            exchange.close();
        } finally {
            watch.finished.countDown();
        }
    }

    /** Must hold lock: keeps the change for replay and sends it to every open watch it concerns, in order. */
    private void record(Change change) {
        history.add(change);
        for (Iterator<Watch> open = watches.iterator(); open.hasNext(); ) {
            Watch watch = open.next();
            String line = watch.lineFor(change);
            if (line != null && !watch.send(line)) {
                open.remove();
            }
        }
    }

    /** Must hold lock. */
    private void endWatches(boolean abrupt) {
        for (Watch watch : watches) {
            watch.end(abrupt);
        }
        watches.clear();
    }

    private String withResourceVersion(String podJson, long version) {
        Pod pod = json.unmarshal(podJson, Pod.class);
        pod.getMetadata().setResourceVersion(Long.toString(version));
        return json.asJson(pod);
    }

    private Pod copy(Pod pod) {
        return json.unmarshal(json.asJson(pod), Pod.class);
    }

    private void sendStatus(HttpExchange exchange, int code, String message) throws IOException {
        String reason = reason(code);
        if (code == 429) {
            // kube-apiserver's throttling asks the client to come back in a second
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        send(exchange, code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + json.asJson(message) + (reason.isEmpty() ? "" : ",\"reason\":\"" + reason + "\"") + ",\"code\":" + code + "}");
    }

    private static void send(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String reason(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 409 -> "Conflict";
            case 410 -> "Expired";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "";
        };
    }

    private static String scriptedMessage(int code) {
        return switch (code) {
            case 401 -> "Unauthorized";
            case 403 -> FORBIDDEN_MESSAGE;
            case 429 -> "Too many requests, please try again later.";
            case 500 -> "Internal error occurred: scripted failure";
            case 503 -> "The server is currently unable to handle the request";
            case 504 -> "Timeout: request did not complete within the allotted timeout";
            default -> "scripted failure " + code;
        };
    }

    private static String event(String type, String object) {
        return "{\"type\":\"" + type + "\",\"object\":" + object + "}\n";
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> parameters = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return parameters;
        }
        for (String parameter : raw.split("&")) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            String value = equals < 0 ? "" : parameter.substring(equals + 1);
            parameters.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return parameters;
    }

    private static SSLContext selfSigned(Path dir) throws IOException {
        Path keystore = dir.resolve("apiserver.p12");
        Path certificate = dir.resolve("ca.crt");
        // keytool refuses to overwrite an alias
        Files.deleteIfExists(keystore);
        Files.deleteIfExists(certificate);
        String keytool = System.getProperty("java.home") + "/bin/keytool";
        keytool(List.of(keytool, "-genkeypair", "-alias", KEY_ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=fake-apiserver", "-ext", "SAN=IP:" + LOOPBACK + ",DNS:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", KEYSTORE_PASSWORD, "-keypass", KEYSTORE_PASSWORD));
        keytool(List.of(keytool, "-exportcert", "-rfc", "-alias", KEY_ALIAS, "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", KEYSTORE_PASSWORD, "-file", certificate.toString()));
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, KEYSTORE_PASSWORD.toCharArray());
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, KEYSTORE_PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load " + keystore, e);
        }
    }

    private static void keytool(List<String> command) throws IOException {
        List<String> quick = new ArrayList<>(command);
        // a tool run for a fraction of a second starts faster with only the quick compiler
        quick.add(1, "-J-XX:TieredStopAtLevel=1");
        Process process = new ProcessBuilder(quick).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool failed: " + quick + "\n" + output);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running keytool", e);
        }
    }

    /** A pod as last put: its JSON and the node it is on (null if unscheduled). */
    private record Stored(String json, String node) {
    }

    /**
     * One change at {@code resourceVersion}: the pod after it ({@code object}, null when deleted) and before it
     * ({@code previous}, null when added, stamped with the change's resourceVersion), each with its node.
     */
    private record Change(long resourceVersion, String object, String node, String previous, String previousNode) {
    }

    /** One open watch response: its stream, written under its own lock, and what it selected. */
    private static final class Watch {
        private final Object writing = new Object();
        private final OutputStream body;
        private final String node;
        private final boolean bookmarks;
        private final CountDownLatch ended = new CountDownLatch(1);
        private final CountDownLatch finished = new CountDownLatch(1);
        private volatile boolean abrupt;
        private boolean open = true;

        Watch(OutputStream body, String node, boolean bookmarks) {
            this.body = body;
            this.node = node;
            this.bookmarks = bookmarks;
        }

        /**
         * The event this watch sees for a change, or null. Like kube-apiserver's field-selector filtering: a change
         * that makes a pod stop matching arrives as DELETED with its previous state, one that makes it start
         * matching as ADDED.
         */
        String lineFor(Change change) {
            boolean matchesNow = change.object() != null && (node == null || node.equals(change.node()));
            boolean matchedBefore = change.previous() != null && (node == null || node.equals(change.previousNode()));
            if (matchesNow) {
                return event(matchedBefore ? "MODIFIED" : "ADDED", change.object());
            }
            return matchedBefore ? event("DELETED", change.previous()) : null;
        }

        /** Writes and flushes one event; false, and the watch ends abruptly, if it is over or the client went away. */
        boolean send(String line) {
            synchronized (writing) {
                if (!open) {
                    return false;
                }
                try {
                    body.write(line.getBytes(StandardCharsets.UTF_8));
                    body.flush();
                    return true;
                } catch (IOException e) {
                    open = false;
                    end(true);
                    return false;
                }
            }
        }

        boolean isOpen() {
            synchronized (writing) {
                return open;
            }
        }

        void end(boolean dropped) {
            if (dropped) {
                abrupt = true;
            }
            ended.countDown();
        }

        /** No write after this: the handler thread is about to end the response. */
        void stop() {
            synchronized (writing) {
                open = false;
            }
        }
    }
}
