package io.dentrywatch.exporter;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every setting of the exporter: its environment variable, its command-line option, its default and
 * what it means. An option on the command line wins over the environment variable; an empty
 * environment variable counts as unset. {@code --help} prints this table.
 */
public enum Setting {

    /** The node name: the Kubernetes pod watch's field selector and the node of node-labelled families. */
    NODE_NAME("--node-name", "this host's name",
            "The node's name as Kubernetes knows it (set it from the downward API's spec.nodeName); the pod"
                    + " watch lists this node's pods."),
    /** The address the HTTP server listens on. */
    METRICS_ADDRESS("--metrics-address", "every address, IPv6 and IPv4",
            "The address to serve /metrics and /healthz on: an IP address or a host name (127.0.0.1 for"
                    + " this host only)."),
    /** The TCP port of the HTTP server. */
    METRICS_PORT("--metrics-port", "9090",
            "The TCP port to serve /metrics and /healthz on: 1-65535."),
    /** The minimum time between two kernel readings. */
    SAMPLE_INTERVAL("--sample-interval", "1s",
            "The kernel is read at most once per interval; scrapes within it (or while a reading is under"
                    + " way) share one reading. A number and a unit: 500ms, 1s, 5m, 1h; 0s reads at every scrape."),
    /** How the probes attach. */
    ATTACH_MODE("--attach-mode", "auto",
            "How the probes reach the kernel: auto (the best the kernel allows), fentry, kprobe, tracepoint,"
                    + " or none (node-wide numbers only). A forced mode the kernel cannot do stops the exporter."),
    /** Which cgroup dentries are counted under. */
    CGROUP_KEY("--cgroup-key", "auto",
            "Which cgroup a task's dentries count under: auto (v2 on cgroup v2 hosts, memory on v1 and"
                    + " hybrid hosts), v2, or memory."),
    /** The cardinality cap. */
    MAX_CONTAINER_SERIES("--max-container-series", "1000",
            "How many containers get their own series; containers first seen past the cap are summed into"
                    + " container=\"_other\". 0-1000000."),
    /** How long a deleted container keeps being reported. */
    GRACE_PERIOD("--grace-period", "5m",
            "How long a deleted container stays reported: the sampler keeps its last counts this long, then its"
                    + " series stays as long again; its pod keeps resolving to names for the grace period plus a"
                    + " minute. A number and a unit: 30s, 5m, 1h."),
    /** The capacity of the kernel's per-cgroup map. */
    MAP_CAPACITY("--map-capacity", "16384",
            "How many cgroups the kernel map holds; events of cgroups past it are counted as"
                    + " dentry_monitor_map_full_drops_total. 1-1048576."),
    /** Whether cgroups are named from the Kubernetes API. */
    KUBERNETES_RESOLUTION("--kubernetes-resolution", "auto",
            "Name pods and containers from the Kubernetes API: auto (on when KUBERNETES_SERVICE_HOST is set,"
                    + " as in a pod, or KUBERNETES_API is given), on, or off (labels from cgroup paths: pod UID, container id, or the path)."),
    /** Which Kubernetes API server pods are listed and watched on. */
    KUBERNETES_API("--kubernetes-api", "in-cluster",
            "The Kubernetes API server to list and watch this node's pods on: in-cluster (https://$KUBERNETES_SERVICE_HOST:"
                    + "$KUBERNETES_SERVICE_PORT, with the pod's service account token and CA), or a URL such as"
                    + " http://127.0.0.1:8001 (kubectl proxy, outside a pod)."),
    /** Whether OOM kills are watched. */
    OOM_WATCHER("--oom-watcher", "on",
            "Watch the node's OOM kills: on (the oom_* families on /metrics and one log line per kill) or off. If the"
                    + " kernel refuses the OOM probes, the exporter runs without them and /healthz says why."),
    /** Where the host's procfs is mounted. */
    PROC_ROOT("--proc-root", "/proc",
            "Where the node's procfs is mounted (the DaemonSet mounts the host's /proc at /host/proc)."),
    /** The log level. */
    LOG_LEVEL("--log-level", "info",
            "How much to log, to standard error: error, warn, info, debug, or trace."),
    /** Where negative dentries come from: directories per container (opt-in). */
    NEGATIVE_SOURCES("--negative-sources", "0",
            "Where negative dentries come from: the top directories per container in dentry_negative_sources_total"
                    + " and on /sources, the rest as directory=\"_other\". 0 (off: the family raises cardinality) or"
                    + " 1-100 directories per container; fentry and kprobe modes only (in tracepoint mode /sources says"
                    + " why there are none)."),
    /** The node-wide cap of those directories. */
    NEGATIVE_SOURCES_NODE_CAP("--negative-sources-node-cap", "500",
            "How many directories of all containers together get their own dentry_negative_sources_total series;"
                    + " past it they are summed into each container's _other. 1-100000.");

    private final String option;
    private final String defaultValue;
    private final String description;

    Setting(String option, String defaultValue, String description) {
        this.option = option;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /**
     * The environment variable.
     *
     * @return for example {@code METRICS_PORT}
     */
    public String variable() {
        return name();
    }

    /**
     * The command-line option.
     *
     * @return for example {@code --metrics-port}
     */
    public String option() {
        return option;
    }

    /**
     * The default, as {@code --help} shows it.
     *
     * @return a value, or a phrase for a default that depends on the host
     */
    public String defaultValue() {
        return defaultValue;
    }

    /**
     * What the setting does and which values it takes.
     *
     * @return one or more sentences
     */
    public String description() {
        return description;
    }

    /**
     * The setting of a command-line option.
     *
     * @param option for example {@code --metrics-port}
     * @return the setting, or empty if no setting has that option
     */
    public static Optional<Setting> ofOption(String option) {
        return Arrays.stream(values()).filter(s -> s.option.equals(option)).findFirst();
    }
}
