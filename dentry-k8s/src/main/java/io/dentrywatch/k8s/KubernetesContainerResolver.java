package io.dentrywatch.k8s;

import io.dentrywatch.cgroup.CgroupIdCache;
import io.dentrywatch.cgroup.CgroupPaths;
import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.cgroup.ContainerResolver;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Resolves cgroups to the namespace, pod and container names of the pods running on this node,
 * from a list-and-watch of those pods on the Kubernetes API.
 *
 * <p>The cgroup path gives the pod UID and the container id ({@link CgroupPaths}); the pods listed and
 * watched map them to names. The container name comes from the pod's container, init container and ephemeral
 * container statuses; a restarted container (new id) keeps its name; an id no status names is the
 * pod's sandbox and is labelled {@value #SANDBOX_CONTAINER}. A deleted pod keeps resolving for a
 * grace period so the last samples of its cgroups still get names.
 *
 * <p>While the API server is unreachable, slow or denies access, {@link #resolve} still answers with
 * what the path gives: {@code pod=}<i>the pod UID</i>, {@code container=}<i>the container id</i>,
 * {@code namespace=""}. The watch retries with backoff; {@link #status()} tells why it is not
 * synced, and each change of state is logged once.
 *
 * <p>Lookups are O(1), thread-safe and allocate nothing once a cgroup has been resolved against the
 * current state of its pod. Memory is bounded by this node's pods and by the cgroup cache; of each pod
 * only its names, UID, node, mirror annotation and container names and ids are kept.
 *
 * <pre>{@code
 * try (var resolver = KubernetesContainerResolver.builder().nodeName("node-a").build()) {
 *     resolver.start();
 *     ContainerIdentity who = resolver.resolve(cgroupId, cgroupPath);
 * }
 * }</pre>
 */
public final class KubernetesContainerResolver implements ContainerResolver, AutoCloseable {

    /** The container label of a pod's sandbox (pause) container, as kubelet's cAdvisor metrics name it. */
    public static final String SANDBOX_CONTAINER = "POD";

    /** How long a deleted pod keeps resolving unless the builder says otherwise. */
    public static final Duration DEFAULT_DELETED_POD_GRACE = Duration.ofMinutes(5);

    /** The environment variable the node name is read from unless the builder gives one. */
    public static final String NODE_NAME_VARIABLE = "NODE_NAME";

    private final ApiServer api;
    private final String nodeName;
    private final WatchHealth health;
    private final PodIndex pods;
    private final CgroupIdCache<Resolved> cache;
    private PodWatch watch;
    private boolean closed;

    /**
     * A resolver on these collaborators, as {@link Builder#build()} makes them.
     *
     * @param api      the API server to list and watch pods on, or {@code null} if none is known: the resolver
     *                 then answers from cgroup paths and its status says how to configure one
     * @param nodeName the node whose pods are resolved
     * @param health   the watch's state
     * @param pods     the index the watch feeds and lookups read
     * @param cache    the resolved cgroups
     */
    KubernetesContainerResolver(ApiServer api, String nodeName, WatchHealth health, PodIndex pods,
            CgroupIdCache<Resolved> cache) {
        this.api = api;
        this.nodeName = nodeName;
        this.health = health;
        this.pods = pods;
        this.cache = cache;
    }

    /**
     * A builder; only the node name is required, from {@link Builder#nodeName(String)} or the
     * {@value #NODE_NAME_VARIABLE} environment variable.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts listing and watching this node's pods and returns at once, whether or not the API server
     * answers. Until the pods are listed, cgroups resolve to what their paths give. Calling it again does
     * nothing.
     *
     * @throws IllegalStateException if the resolver is closed
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the resolver is closed");
        }
        if (watch != null) {
            return;
        }
        if (api == null) {
            health.unconfigured();
            return;
        }
        watch = new PodWatch(api, nodeName, pods, health);
        watch.start();
    }

    /**
     * Whether this node's pods have been listed at least once. It stays true while the watch
     * reconnects, as the pods last seen keep being used; see {@link #status()} for the connection.
     *
     * @return {@code true} once the first list has completed, until {@link #close()}
     */
    public synchronized boolean isSynced() {
        return !closed && watch != null && watch.synced();
    }

    /**
     * The watch's state now and a sentence saying why, for health checks and diagnostics.
     *
     * @return the status; never {@code null}
     */
    public Status status() {
        return health.status();
    }

    /**
     * The node whose pods are resolved.
     *
     * @return the node name
     */
    public String nodeName() {
        return nodeName;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Pod cgroups get the names of their pod and container once the watch knows the pod, and
     * the pod UID and container id until then; other cgroups get their systemd unit or path.
     */
    @Override
    public ContainerIdentity resolve(long cgroupId, String cgroupPath) {
        Resolved cached = cache.get(cgroupId);
        if (cached != null && cached.path().equals(cgroupPath)
                && (cached.pathPodUid().isEmpty() || pods.current(cached.pathPodUid()) == cached.pod())) {
            return cached.identity();
        }
        Resolved fresh = resolveAgainstPods(cgroupPath, cached);
        cache.put(cgroupId, fresh);
        return fresh.identity();
    }

    /** Stops the watch: its connection is closed and its thread ends. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        health.closed();
        if (watch != null) {
            watch.close();
        }
    }

    private Resolved resolveAgainstPods(String cgroupPath, Resolved previous) {
        ContainerIdentity fromPath = CgroupPaths.parse(cgroupPath);
        if (!fromPath.isPod()) {
            return new Resolved(cgroupPath, "", null, fromPath, false);
        }
        PodRecord pod = pods.current(fromPath.podUid());
        if (pod == null) {
            return new Resolved(cgroupPath, fromPath.podUid(), null, fromPath, false);
        }
        String containerId = fromPath.containerId();
        String byStatus = containerId.isEmpty() ? null : pod.containerName(containerId);
        String remembered = byStatus == null ? rememberedName(previous, cgroupPath, pod) : null;
        String container;
        if (containerId.isEmpty()) {
            // the pod's own cgroup, or a child we cannot read an id from
            container = fromPath.container();
        } else if (byStatus != null) {
            container = byStatus;
        } else if (remembered != null) {
            container = remembered;
        } else {
            container = SANDBOX_CONTAINER;
        }
        boolean named = byStatus != null || remembered != null;
        // the cgroupfs driver's bare ids do not say which runtime; the pod's container ids do
        String runtime = fromPath.runtime().isEmpty() && !containerId.isEmpty() ? pod.runtime() : fromPath.runtime();
        ContainerIdentity identity = new ContainerIdentity(
                pod.namespace(), pod.name(), container, pod.uid(), containerId, runtime, fromPath.qos());
        return new Resolved(cgroupPath, fromPath.podUid(), pod, identity, named);
    }

    /** The name this cgroup was given before, if a status named it: a container id never changes its name. */
    private static String rememberedName(Resolved previous, String cgroupPath, PodRecord pod) {
        if (previous != null && previous.named() && previous.path().equals(cgroupPath)
                && previous.pod() != null && previous.pod().uid().equals(pod.uid())) {
            return previous.identity().container();
        }
        return null;
    }

    /**
     * A cgroup resolved against one state of its pod.
     *
     * @param path       the cgroup path it was resolved from
     * @param pathPodUid the pod UID in the path, or {@code ""} outside pods
     * @param pod        the pod state it was resolved against, or {@code null} if the pod was unknown
     * @param identity   the answer
     * @param named      whether a container status named it
     */
    record Resolved(String path, String pathPodUid, PodRecord pod, ContainerIdentity identity, boolean named) {
    }

    /** The state of the pod list-and-watch. */
    public enum State {
        /** {@link #start()} has not been called. */
        NOT_STARTED,
        /** Started; the first list of pods has not completed yet. */
        CONNECTING,
        /** This node's pods are listed and watched. */
        SYNCED,
        /**
         * The API server could not be reached, refused the token, or the watch was lost; retrying with
         * backoff. Also: no API server is known (outside a pod, with none configured).
         */
        UNAVAILABLE,
        /** The API server answered 403: the service account lacks the RBAC rule; retrying with backoff. */
        FORBIDDEN,
        /** {@link #close()} was called. */
        CLOSED
    }

    /**
     * The watch's state and a sentence explaining it; for {@link State#FORBIDDEN}, the sentence
     * names the ClusterRole rule needed.
     *
     * @param state   the state
     * @param message why, for logs and health endpoints
     */
    public record Status(State state, String message) {
        /** Checks that both parts are present. */
        public Status {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Configures a {@link KubernetesContainerResolver}. Not thread-safe. */
    public static final class Builder {

        private URI apiServer;
        private Path serviceAccount = ApiServer.SERVICE_ACCOUNT;
        private String nodeName;
        private Duration deletedPodGrace = DEFAULT_DELETED_POD_GRACE;
        private int maxCachedCgroups = 16_384;
        private UnaryOperator<String> environment = System::getenv;

        private Builder() {
        }

        /**
         * The Kubernetes API server to list and watch pods on. Without one, the resolver uses the one a pod
         * reaches through the {@code kubernetes} service ({@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}).
         * Outside a cluster, {@code kubectl proxy} gives one: {@code http://127.0.0.1:8001}.
         *
         * @param url {@code https://host:port}, or {@code http://host:port} for a local proxy
         * @return this builder
         * @throws IllegalArgumentException if it is not an http or https URL
         */
        public Builder apiServer(URI url) {
            String scheme = Objects.requireNonNull(url, "url").getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme)) {
                throw new IllegalArgumentException("the API server's URL must be http:// or https://, was " + url);
            }
            this.apiServer = url;
            return this;
        }

        /**
         * Where the service account's {@code token} and {@code ca.crt} are; default
         * {@code /var/run/secrets/kubernetes.io/serviceaccount}, where Kubernetes mounts them. The token is read
         * for every request (the kubelet rotates it in place) and sent if the file exists; the API server's
         * certificate is checked against {@code ca.crt} if it exists, else against the JVM's trust store.
         *
         * @param directory the directory
         * @return this builder
         */
        public Builder serviceAccount(Path directory) {
            this.serviceAccount = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The node whose pods to resolve; without it, the {@value KubernetesContainerResolver#NODE_NAME_VARIABLE} environment
         * variable (set it from the downward API's {@code spec.nodeName}).
         *
         * @param nodeName the node name as the API server knows it
         * @return this builder
         */
        public Builder nodeName(String nodeName) {
            this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
            return this;
        }

        /**
         * How long a deleted pod keeps resolving, so its last samples still get names; default
         * {@link KubernetesContainerResolver#DEFAULT_DELETED_POD_GRACE}.
         *
         * @param grace zero or more
         * @return this builder
         * @throws IllegalArgumentException if {@code grace} is negative
         */
        public Builder deletedPodGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("deletedPodGrace must not be negative, was " + grace);
            }
            this.deletedPodGrace = grace;
            return this;
        }

        /**
         * How many cgroups one generation of the cache holds (it keeps at most twice as many); default 16,384.
         *
         * @param maxCachedCgroups at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxCachedCgroups} is less than 1
         */
        public Builder maxCachedCgroups(int maxCachedCgroups) {
            if (maxCachedCgroups < 1) {
                throw new IllegalArgumentException("maxCachedCgroups must be at least 1, was " + maxCachedCgroups);
            }
            this.maxCachedCgroups = maxCachedCgroups;
            return this;
        }

        /** Where the node name and the in-cluster API server are read from; tests replace the process environment. */
        Builder environment(UnaryOperator<String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * Builds the resolver; call {@link KubernetesContainerResolver#start()} to start watching.
         *
         * @return the resolver
         * @throws IllegalStateException if no node name was given and {@value KubernetesContainerResolver#NODE_NAME_VARIABLE} is unset
         */
        public KubernetesContainerResolver build() {
            String node = nodeName != null ? nodeName : environment.apply(NODE_NAME_VARIABLE);
            if (node == null || node.isBlank()) {
                throw new IllegalStateException("The node name is unknown: call nodeName(...) or set " + NODE_NAME_VARIABLE
                        + " from the downward API (env: - name: NODE_NAME, valueFrom: fieldRef: fieldPath: spec.nodeName)");
            }
            String name = node.strip();
            URI url = apiServer != null ? apiServer : ApiServer.inCluster(environment);
            return new KubernetesContainerResolver(url == null ? null : new ApiServer(url, serviceAccount), name,
                    new WatchHealth(name), new PodIndex(name, deletedPodGrace.toNanos(), System::nanoTime),
                    new CgroupIdCache<>(maxCachedCgroups));
        }
    }
}
