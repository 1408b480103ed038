package io.dentrywatch.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.k8s.KubernetesContainerResolver.State;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class InformerHealthTest {

    private final RecordingLogger log = new RecordingLogger();
    private final InformerHealth health = new InformerHealth("node-a", log);

    @Test
    void logsOncePerChangeOfStateNotOncePerRetry() {
        health.connecting();
        for (int retry = 0; retry < 5; retry++) {
            assertTrue(health.retryAfterException(false, new CompletionException(new ConnectException("Connection refused"))));
        }
        health.synced();
        health.synced();
        health.retryAfterException(true, new WatcherException("too old resource version", new KubernetesClientException("gone")));
        health.retryAfterException(true, new WatcherException("connection reset"));
        health.synced();

        assertEquals(List.of(
                "INFO Pod informer: listing the pods of node node-a from the Kubernetes API",
                "WARN Pod informer: the Kubernetes API is unavailable (ConnectException: Connection refused);"
                        + " pod cgroups are labelled with the pod UID only; retrying with backoff",
                "INFO Pod informer: pods of node node-a are listed and watched",
                "WARN Pod informer: lost the watch on the pods of node node-a (KubernetesClientException: gone);"
                        + " labels come from the pods last seen; retrying with backoff",
                "INFO Pod informer: pods of node node-a are listed and watched"), log.lines);
    }

    @Test
    void forbiddenIsAnErrorNamingTheClusterRoleRule() {
        KubernetesClientException forbidden = new KubernetesClientException(
                "pods is forbidden: User \"system:serviceaccount:monitoring:dentrywatch\" cannot list resource \"pods\"", 403, null);

        assertTrue(health.retryAfterException(false, new CompletionException(forbidden)));
        health.retryAfterException(false, forbidden);

        assertEquals(State.FORBIDDEN, health.status().state());
        assertEquals(1, log.lines.size());
        assertTrue(log.lines.get(0).startsWith("ERROR "), log.lines.get(0));
        assertTrue(log.lines.get(0).contains("apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\",\"list\",\"watch\"]"));
        assertTrue(health.status().message().contains("ClusterRoleBinding"));
    }

    @Test
    void closedStaysClosedAndStopsRetries() {
        health.connecting();
        health.closed();

        assertFalse(health.retryAfterException(true, new ConnectException("Connection refused")));
        health.synced();

        assertEquals(State.CLOSED, health.status().state());
    }

    /** Keeps each log line as "LEVEL message". */
    private static final class RecordingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        final transient List<String> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, arguments));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
