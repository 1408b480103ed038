package io.dentrywatch.exporter;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupKey;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The exporter's settings, checked; {@link ConfigLoader} reads them from the environment and the
 * command line (see {@link Setting} for each one's meaning and default).
 *
 * @param nodeName           the node's name
 * @param metricsAddress     the address to listen on; empty for every address
 * @param metricsPort        the TCP port to listen on; 0 picks a free port (tests only: the loader takes 1-65535)
 * @param sampleInterval     the minimum time between kernel readings
 * @param attachMode         how the probes attach
 * @param cgroupKey          which cgroup dentries count under
 * @param maxContainerSeries how many containers get their own series
 * @param gracePeriod        how long a deleted container stays reported
 * @param mapCapacity        how many cgroups the kernel map holds
 * @param kubernetes         whether pods and containers are named from the Kubernetes API
 * @param kubernetesApi      the API server to watch pods on; empty for the one a pod reaches in its cluster
 * @param oomWatcher         whether OOM kills are watched (the {@code oom_*} families, a log line per kill)
 * @param procRoot           where the node's procfs is mounted
 * @param logLevel           how much to log
 * @param negativeSources    top directories per container of negative dentries; 0 for off
 * @param negativeSourcesNodeCap directories with their own series on the node
 */
public record ExporterConfig(
        String nodeName,
        Optional<String> metricsAddress,
        int metricsPort,
        Duration sampleInterval,
        AttachMode attachMode,
        CgroupKey cgroupKey,
        int maxContainerSeries,
        Duration gracePeriod,
        int mapCapacity,
        boolean kubernetes,
        Optional<URI> kubernetesApi,
        boolean oomWatcher,
        Path procRoot,
        LogLevel logLevel,
        int negativeSources,
        int negativeSourcesNodeCap) {

    /** The settings without negative sources (off, the default node cap). */
    public ExporterConfig(String nodeName, Optional<String> metricsAddress, int metricsPort, Duration sampleInterval,
                          AttachMode attachMode, CgroupKey cgroupKey, int maxContainerSeries, Duration gracePeriod,
                          int mapCapacity, boolean kubernetes, boolean oomWatcher, Path procRoot, LogLevel logLevel) {
        this(nodeName, metricsAddress, metricsPort, sampleInterval, attachMode, cgroupKey, maxContainerSeries, gracePeriod,
                mapCapacity, kubernetes, Optional.empty(), oomWatcher, procRoot, logLevel, 0, 500);
    }

    /** Checks what the loader also checks, so that a config built in code holds the same rules. */
    public ExporterConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(metricsAddress, "metricsAddress");
        Objects.requireNonNull(sampleInterval, "sampleInterval");
        Objects.requireNonNull(attachMode, "attachMode");
        Objects.requireNonNull(cgroupKey, "cgroupKey");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        Objects.requireNonNull(kubernetesApi, "kubernetesApi");
        Objects.requireNonNull(procRoot, "procRoot");
        Objects.requireNonNull(logLevel, "logLevel");
        if (metricsPort < 0 || metricsPort > 65_535) {
            throw new IllegalArgumentException("metricsPort must be 0-65535, was " + metricsPort);
        }
        if (sampleInterval.isNegative() || gracePeriod.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative: " + sampleInterval + ", " + gracePeriod);
        }
        if (negativeSources < 0 || negativeSourcesNodeCap < 1) {
            throw new IllegalArgumentException("negativeSources must be >= 0 and negativeSourcesNodeCap >= 1, were "
                    + negativeSources + " and " + negativeSourcesNodeCap);
        }
        if (maxContainerSeries < 0 || mapCapacity < 1) {
            throw new IllegalArgumentException("maxContainerSeries must be >= 0 and mapCapacity >= 1, were "
                    + maxContainerSeries + " and " + mapCapacity);
        }
    }

    /**
     * The same settings on another port.
     *
     * @param port 0-65535; 0 picks a free port
     * @return a copy with that port
     */
    public ExporterConfig withMetricsPort(int port) {
        return new ExporterConfig(nodeName, metricsAddress, port, sampleInterval, attachMode, cgroupKey,
                maxContainerSeries, gracePeriod, mapCapacity, kubernetes, kubernetesApi, oomWatcher, procRoot, logLevel,
                negativeSources,
                negativeSourcesNodeCap);
    }

    /**
     * How long a deleted pod keeps resolving to its names: the grace period plus a minute, so that the
     * sampler's last report of its cgroups (kept for the grace period) still carries the names.
     *
     * @return the Kubernetes resolver's deleted-pod grace
     */
    public Duration deletedPodGrace() {
        return gracePeriod.plusMinutes(1);
    }
}
