package io.dentrywatch.k8s;

import io.dentrywatch.k8s.KubernetesContainerResolver.State;
import io.dentrywatch.k8s.KubernetesContainerResolver.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of the pod watch, logged once per change of state rather than once per retry.
 */
final class WatchHealth {

    /** The RBAC rule the resolver needs, as a ClusterRole writes it. */
    static final String REQUIRED_RULE = "apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\",\"list\",\"watch\"]";

    private static final int HTTP_UNAUTHORIZED = 401;
    private static final int HTTP_FORBIDDEN = 403;

    private final String nodeName;
    private final Logger log;
    private volatile Status status;

    WatchHealth(String nodeName) {
        this(nodeName, LoggerFactory.getLogger(KubernetesContainerResolver.class));
    }

    WatchHealth(String nodeName, Logger log) {
        this.nodeName = nodeName;
        this.log = log;
        this.status = new Status(State.NOT_STARTED, "not started");
    }

    Status status() {
        return status;
    }

    void connecting() {
        moveTo(State.CONNECTING, "listing the pods of node " + nodeName + " from the Kubernetes API");
    }

    void synced() {
        moveTo(State.SYNCED, "pods of node " + nodeName + " are listed and watched");
    }

    void unconfigured() {
        moveTo(State.UNAVAILABLE, "no Kubernetes API server is known: KUBERNETES_SERVICE_HOST is unset (not in a pod)"
                + " and none was configured; pod cgroups are labelled with the pod UID only");
    }

    void closed() {
        moveTo(State.CLOSED, "closed");
    }

    /**
     * A list or watch failed; it is retried after a backoff.
     *
     * @param synced whether the pods were listed before, so labels come from the pods last seen
     */
    void failed(boolean synced, Throwable failure) {
        int code = failure instanceof ApiException api ? api.code() : 0;
        if (code == HTTP_FORBIDDEN) {
            moveTo(State.FORBIDDEN, "the Kubernetes API denied listing or watching the pods of node " + nodeName
                    + " (" + failure.getMessage() + "). Grant this service account a ClusterRole with the rule "
                    + REQUIRED_RULE + " and bind it with a ClusterRoleBinding. Until then pod cgroups are labelled"
                    + " with the pod UID only; retrying with backoff.");
        } else if (code == HTTP_UNAUTHORIZED) {
            moveTo(State.UNAVAILABLE, "the Kubernetes API did not accept this pod's service account token ("
                    + failure.getMessage() + "); check that the pod mounts its service account token"
                    + " (automountServiceAccountToken) and that it has not expired; retrying with backoff");
        } else if (synced) {
            moveTo(State.UNAVAILABLE, "lost the watch on the pods of node " + nodeName + " (" + describe(failure)
                    + "); labels come from the pods last seen; retrying with backoff");
        } else {
            moveTo(State.UNAVAILABLE, "the Kubernetes API is unavailable (" + describe(failure)
                    + "); pod cgroups are labelled with the pod UID only; retrying with backoff");
        }
    }

    private synchronized void moveTo(State state, String message) {
        State previous = status.state();
        if (previous == State.CLOSED) {
            return;
        }
        status = new Status(state, message);
        if (previous == state) {
            return;
        }
        switch (state) {
            case FORBIDDEN -> log.error("Pod watch: {}", message);
            case UNAVAILABLE -> log.warn("Pod watch: {}", message);
            default -> log.info("Pod watch: {}", message);
        }
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
