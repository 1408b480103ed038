package io.dentrywatch.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.k8s.KubernetesContainerResolver.State;
import java.io.EOFException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class WatchHealthTest {

    private final RecordingLogger log = new RecordingLogger();
    private final WatchHealth health = new WatchHealth("node-a", log);

    @Test
    void logsOncePerChangeOfStateNotOncePerRetry() {
        health.connecting();
        for (int retry = 0; retry < 5; retry++) {
            health.failed(false, new ConnectException("Connection refused"));
        }
        health.synced();
        health.synced();
        health.failed(true, new java.io.IOException("watch broke", new EOFException("unexpected end of stream")));
        health.failed(true, new ApiException(500, "InternalError", "etcd leader changed"));
        health.synced();

        assertEquals(List.of(
                "INFO Pod watch: listing the pods of node node-a from the Kubernetes API",
                "WARN Pod watch: the Kubernetes API is unavailable (ConnectException: Connection refused);"
                        + " pod cgroups are labelled with the pod UID only; retrying with backoff",
                "INFO Pod watch: pods of node node-a are listed and watched",
                "WARN Pod watch: lost the watch on the pods of node node-a (EOFException: unexpected end of stream);"
                        + " labels come from the pods last seen; retrying with backoff",
                "INFO Pod watch: pods of node node-a are listed and watched"), log.lines);
    }

    @Test
    void forbiddenIsAnErrorNamingTheClusterRoleRule() {
        ApiException forbidden = new ApiException(403, "Forbidden",
                "pods is forbidden: User \"system:serviceaccount:monitoring:dentrywatch\" cannot list resource \"pods\"");

        health.failed(false, forbidden);
        health.failed(true, forbidden);

        assertEquals(State.FORBIDDEN, health.status().state());
        assertEquals(1, log.lines.size());
        assertTrue(log.lines.get(0).startsWith("ERROR "), log.lines.get(0));
        assertTrue(log.lines.get(0).contains("apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\",\"list\",\"watch\"]"));
        assertTrue(health.status().message().contains("ClusterRoleBinding"));
        assertTrue(health.status().message().contains("(HTTP 403 Forbidden: pods is forbidden: User"), health.status().message());
    }

    @Test
    void aRefusedTokenSaysToCheckTheServiceAccountToken() {
        health.failed(false, new ApiException(401, "Unauthorized", "Unauthorized"));

        assertEquals(State.UNAVAILABLE, health.status().state());
        assertTrue(health.status().message().contains("did not accept this pod's service account token (HTTP 401 Unauthorized"),
                health.status().message());
        assertTrue(health.status().message().contains("automountServiceAccountToken"), health.status().message());
    }

    @Test
    void noApiServerSaysWhy() {
        health.unconfigured();

        assertEquals(State.UNAVAILABLE, health.status().state());
        assertTrue(health.status().message().contains("KUBERNETES_SERVICE_HOST is unset"), health.status().message());
    }

    @Test
    void closedStaysClosedAndStopsRetries() {
        health.connecting();
        health.closed();

        health.failed(true, new ConnectException("Connection refused"));
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
