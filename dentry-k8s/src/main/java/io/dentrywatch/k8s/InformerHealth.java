package io.dentrywatch.k8s;

import io.dentrywatch.k8s.KubernetesContainerResolver.State;
import io.dentrywatch.k8s.KubernetesContainerResolver.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of the pod informer, logged once per change of state rather than once per retry.
 * Also the informer's exception handler: every failure is retried, with fabric8's backoff.
 */
final class InformerHealth {

    /** The RBAC rule the resolver needs, as a ClusterRole writes it. */
    static final String REQUIRED_RULE = "apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\",\"list\",\"watch\"]";

    private static final int HTTP_FORBIDDEN = 403;

    private final String nodeName;
    private final Logger log;
    private volatile Status status;

    InformerHealth(String nodeName) {
        this(nodeName, LoggerFactory.getLogger(KubernetesContainerResolver.class));
    }

    InformerHealth(String nodeName, Logger log) {
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

    void closed() {
        moveTo(State.CLOSED, "closed");
    }

    /** The informer's {@link io.fabric8.kubernetes.client.informers.ExceptionHandler}. */
    boolean retryAfterException(boolean started, Throwable failure) {
        if (status.state() == State.CLOSED) {
            return false;
        }
        KubernetesClientException apiError = apiError(failure);
        if (apiError != null && apiError.getCode() == HTTP_FORBIDDEN) {
            moveTo(State.FORBIDDEN, "the Kubernetes API denied listing or watching the pods of node " + nodeName
                    + " (HTTP 403: " + apiError.getMessage() + "). Grant this service account a ClusterRole with the rule "
                    + REQUIRED_RULE + " and bind it with a ClusterRoleBinding. Until then pod cgroups are labelled"
                    + " with the pod UID only; retrying with backoff.");
        } else if (started) {
            moveTo(State.UNAVAILABLE, "lost the watch on the pods of node " + nodeName + " (" + describe(failure)
                    + "); labels come from the pods last seen; retrying with backoff");
        } else {
            moveTo(State.UNAVAILABLE, "the Kubernetes API is unavailable (" + describe(failure)
                    + "); pod cgroups are labelled with the pod UID only; retrying with backoff");
        }
        return true;
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
            case FORBIDDEN -> log.error("Pod informer: {}", message);
            case UNAVAILABLE -> log.warn("Pod informer: {}", message);
            default -> log.info("Pod informer: {}", message);
        }
    }

    private static KubernetesClientException apiError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException e && e.getCode() > 0) {
                return e;
            }
        }
        return null;
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
