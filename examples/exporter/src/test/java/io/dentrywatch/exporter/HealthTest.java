package io.dentrywatch.exporter;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthTest {

    @Test
    void notReadyWhileStartingReadyWithTheModeThenNotReadyWhileStopping() {
        Health health = new Health();
        AtomicReference<String> resolver = new AtomicReference<>("kubernetes: CONNECTING: listing the pods");

        assertFalse(health.report().ready());
        assertFalse(health.started());
        assertEquals("starting: opening the dentry probes\n", health.report().body());

        health.ready("mode tracepoint, kernel 6.18", () -> List.of(resolver.get()));
        assertTrue(health.report().ready());
        assertTrue(health.started());
        assertEquals("ready: mode tracepoint, kernel 6.18\nkubernetes: CONNECTING: listing the pods\n",
                health.report().body());
        resolver.set("kubernetes: SYNCED: pods are listed");
        assertEquals("ready: mode tracepoint, kernel 6.18\nkubernetes: SYNCED: pods are listed\n",
                health.report().body(), "details are asked for at each request");

        health.stopping();
        assertFalse(health.report().ready());
        assertTrue(health.started(), "started, now stopping: /metrics is served until the server closes");
        assertEquals("stopping: detaching the probes\n", health.report().body());
    }
}
