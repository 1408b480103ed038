package io.dentrywatch.k8s;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Lists this node's pods and watches them, as client-go's reflector does: a list served from the API server's
 * watch cache ({@code resourceVersion=0}), then a watch from the list's {@code resourceVersion} with bookmarks,
 * renewed when the server ends it, resumed from the last version seen after a dropped connection, and a new
 * list when the server no longer has that version (410 Gone). Every failure is retried after a backoff of
 * 1 s doubling to 30 s, with jitter. One virtual thread; {@link #close()} stops it.
 */
final class PodWatch implements AutoCloseable {

    /** The watch's server-side timeout is drawn from [5, 10) minutes, as client-go's, so agents do not renew in step. */
    private static final int MIN_WATCH_SECONDS = 300;
    private static final Duration LIST_READ_TIMEOUT = Duration.ofSeconds(60);
    /** A watch with no byte for this long past its timeout is dead (the server ends it, or sends bookmarks). */
    private static final Duration WATCH_GRACE = Duration.ofSeconds(30);
    private static final long FIRST_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final long MIN_HEALTHY_WATCH_NANOS = Duration.ofSeconds(1).toNanos();

    private final ApiServer api;
    private final String selector;
    private final PodIndex pods;
    private final WatchHealth health;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean synced;
    /** The last resourceVersion seen, to watch from; {@code null} until listed, or when the server forgot it. */
    private String resourceVersion;

    PodWatch(ApiServer api, String nodeName, PodIndex pods, WatchHealth health) {
        this.api = api;
        this.selector = "fieldSelector=" + URLEncoder.encode("spec.nodeName=" + nodeName, StandardCharsets.UTF_8);
        this.pods = pods;
        this.health = health;
        // virtual: interrupting it closes the socket a read blocks on (HttpURLConnection.disconnect() would wait
        // for that read to release the stream's lock, up to the watch's read timeout)
        this.thread = Thread.ofVirtual().name("dentrywatch-pod-watch").unstarted(this::run);
    }

    void start() {
        health.connecting();
        thread.start();
    }

    /** Whether this node's pods were listed at least once. */
    boolean synced() {
        return synced;
    }

    /** Stops the watch: the connection is cut and the thread ends; waits for it a little. Idempotent. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!closed) {
            try {
                if (resourceVersion == null) {
                    list();
                }
                long started = System.nanoTime();
                // each watch that ends cleanly is renewed from the last version it saw
                watch();
                if (System.nanoTime() - started < MIN_HEALTHY_WATCH_NANOS) {
                    // a server that ends every watch at once must not be asked again in a tight loop
                    backoff = pause(backoff);
                } else {
                    backoff = FIRST_BACKOFF_MILLIS;
                }
            } catch (ApiException e) {
                if (closed) {
                    return;
                }
                if (e.code() == ApiException.GONE) {
                    // the server no longer keeps our version: list again at once, as the reflector does
                    resourceVersion = null;
                    continue;
                }
                health.failed(synced, e);
                backoff = pause(backoff);
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                // a broken watch resumes from the last version it saw
                health.failed(synced, e);
                backoff = pause(backoff);
            }
        }
    }

    /** Lists the pods into the index, and takes the list's resourceVersion. */
    private void list() throws IOException {
        HttpURLConnection connection = open("/api/v1/pods?" + selector + "&resourceVersion=0", LIST_READ_TIMEOUT);
        PodJson.PodList list;
        try (InputStream body = connection.getInputStream(); JsonParser parser = api.json().createParser(body)) {
            list = PodJson.list(parser);
        } finally {
            connection.disconnect();
        }
        pods.replaceAll(list.pods());
        resourceVersion = list.resourceVersion();
        synced = true;
        health.synced();
    }

    /** Watches from the last version seen until the server ends the watch, taking each event's version. */
    private void watch() throws IOException {
        int seconds = MIN_WATCH_SECONDS + ThreadLocalRandom.current().nextInt(MIN_WATCH_SECONDS);
        HttpURLConnection connection = open("/api/v1/pods?" + selector + "&watch=true&allowWatchBookmarks=true"
                + "&resourceVersion=" + URLEncoder.encode(resourceVersion, StandardCharsets.UTF_8)
                + "&timeoutSeconds=" + seconds, Duration.ofSeconds(seconds).plus(WATCH_GRACE));
        try (InputStream body = connection.getInputStream(); JsonParser parser = api.json().createParser(body)) {
            health.synced();
            for (PodJson.WatchEvent event = PodJson.event(parser); event != null; event = PodJson.event(parser)) {
                if (event.error() != null) {
                    throw event.error();
                }
                switch (event.type()) {
                    case "ADDED", "MODIFIED" -> {
                        if (event.pod() != null) {
                            pods.upsert(event.pod());
                        }
                    }
                    case "DELETED" -> {
                        if (event.pod() != null) {
                            pods.delete(event.pod());
                        }
                    }
                    default -> {
                        // BOOKMARK: only its version matters
                    }
                }
                if (!event.resourceVersion().isEmpty()) {
                    resourceVersion = event.resourceVersion();
                }
            }
        } finally {
            connection.disconnect();
        }
    }

    private HttpURLConnection open(String pathAndQuery, Duration readTimeout) throws IOException {
        HttpURLConnection connection = api.get(pathAndQuery, readTimeout);
        if (closed) {
            // close() ran while we connected
            connection.disconnect();
            throw new IOException("closed");
        }
        return connection;
    }

    /** Sleeps for about {@code backoff} ms (±20%); returns the next backoff. */
    private long pause(long backoff) {
        long jittered = backoff * (80 + ThreadLocalRandom.current().nextInt(41)) / 100;
        try {
            Thread.sleep(jittered);
        } catch (InterruptedException e) {
            // close() interrupts: the loop sees closed
        }
        return Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
}
