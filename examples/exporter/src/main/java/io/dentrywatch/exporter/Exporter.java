package io.dentrywatch.exporter;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.core.AttachMode;
import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.core.DentrySampler;
import io.dentrywatch.core.MalformedProcFileException;
import io.dentrywatch.cgroup.PathContainerResolver;
import io.dentrywatch.core.SamplerInfo;
import io.dentrywatch.k8s.KubernetesContainerResolver;
import io.dentrywatch.prometheus.DentryCollector;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running exporter: an HTTP server with {@code /metrics} (dentry-prometheus's collector, read at
 * scrape time, and the extensions' collectors, on one registry) and {@code /healthz}, over an open
 * {@link DentrySampler}. {@link #start} listens first (so a port in use fails before any probe is
 * loaded), then opens the sampler, the container resolver and the extensions, then reports ready; until
 * then both {@code /metrics} and {@code /healthz} answer 503 ({@link StartupGate}), so that the first
 * successful scrape comes after every probe (the sampler's and the OOM watcher's) is attached or degraded.
 * {@link #close()} stops serving, then closes the extensions, the resolver and the sampler (which
 * detaches every probe).
 */
public final class Exporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Exporter.class);

    private final Health health;
    /** How many requests are answered at once (see {@link #httpThreads()}). */
    static final int HTTP_THREADS = 2;

    private final HTTPServer server;
    private final DentrySampler sampler;
    private final Optional<KubernetesContainerResolver> kubernetes;
    private final List<ExporterExtension> extensions;
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean closing;

    private Exporter(Health health, HTTPServer server, DentrySampler sampler,
                     Optional<KubernetesContainerResolver> kubernetes, List<ExporterExtension> extensions) {
        this.health = health;
        this.server = server;
        this.sampler = sampler;
        this.kubernetes = kubernetes;
        this.extensions = List.copyOf(extensions);
    }

    /**
     * Starts the exporter and returns once it is ready.
     *
     * @param config     the settings
     * @param extensions the extensions to open (see {@link Extensions})
     * @return the running exporter; close it to stop
     * @throws StartupException if the port cannot be listened on, a forced attach mode cannot be used,
     *                          or the node's procfs cannot be read
     */
    public static Exporter start(ExporterConfig config, List<ExtensionFactory> extensions) throws StartupException {
        Health health = new Health();
        PrometheusRegistry registry = new PrometheusRegistry();
        SourcesEndpoint sources = new SourcesEndpoint(config.nodeName());
        HTTPServer server = listen(config, registry, health, sources);
        DentrySampler sampler = null;
        KubernetesContainerResolver kubernetes = null;
        List<ExporterExtension> opened = new ArrayList<>();
        try {
            sampler = openSampler(config);
            ContainerResolver resolver;
            if (config.kubernetes()) {
                KubernetesContainerResolver.Builder builder = KubernetesContainerResolver.builder()
                        .nodeName(config.nodeName())
                        .deletedPodGrace(config.deletedPodGrace());
                config.kubernetesApi().ifPresent(builder::apiServer);
                kubernetes = builder.build();
                kubernetes.start();
                resolver = kubernetes;
            } else {
                resolver = new PathContainerResolver();
            }
            RecentSamples samples = new RecentSamples(sampler::sample);
            sources.serve(samples, resolver, config.sampleInterval());
            registry.register(DentryCollector.builder(samples)
                    .containerResolver(resolver)
                    .minReadInterval(config.sampleInterval())
                    .maxContainerSeries(config.maxContainerSeries())
                    .deletedSeriesGrace(config.gracePeriod())
                    .build());
            for (ExtensionFactory factory : extensions) {
                openExtension(factory, config, resolver, registry).ifPresent(opened::add);
            }
            Exporter exporter = new Exporter(health, server, sampler, Optional.ofNullable(kubernetes), opened);
            String summary = summary(sampler.info(), config);
            health.ready(summary, exporter::healthDetails);
            LOG.info("dentrywatch exporter {} on node {}: {}; serving http://{}:{}{} and {}", sampler.info().version(),
                    config.nodeName(), summary, hostForUrl(config), server.getPort(), HttpRoutes.METRICS_PATH,
                    HttpRoutes.HEALTH_PATH);
            return exporter;
        } catch (RuntimeException | StartupException e) {
            server.close();
            opened.forEach(Exporter::closeQuietly);
            if (kubernetes != null) {
                kubernetes.close();
            }
            if (sampler != null) {
                sampler.close();
            }
            throw e;
        }
    }

    private static HTTPServer listen(ExporterConfig config, PrometheusRegistry registry, Health health,
                                     SourcesEndpoint sources)
            throws StartupException {
        String where = hostForUrl(config) + ":" + config.metricsPort();
        try {
            HTTPServer.Builder builder = HTTPServer.builder()
                    .port(config.metricsPort())
                    .executorService(httpThreads())
                    .registry(registry)
                    .metricsHandlerPath(HttpRoutes.METRICS_PATH)
                    .defaultHandler(new HttpRoutes(health, sources))
                    .authenticator(new StartupGate(health))
                    .registerHealthHandler(false);
            if (config.metricsAddress().isPresent()) {
                builder.inetAddress(InetAddress.getByName(config.metricsAddress().get()));
            }
            return builder.buildAndStart();
        } catch (BindException e) {
            throw new StartupException(ExitCode.CANNOT_LISTEN, "cannot listen on " + where + ": " + e.getMessage()
                    + ". If another process holds port " + config.metricsPort() + " (ss -ltnp 'sport = :"
                    + config.metricsPort() + "' shows it), stop it or choose another port with METRICS_PORT or"
                    + " --metrics-port; if the address is not one of this node's, fix METRICS_ADDRESS.", e);
        } catch (IOException e) {
            throw new StartupException(ExitCode.CANNOT_LISTEN, "cannot listen on " + where + ": " + e, e);
        }
    }

    /**
     * Two threads answer requests; while both are busy the server's one dispatcher thread waits to hand over
     * the next, so further connections wait in the kernel's accept queue. Each scrape renders a few MB of
     * short-lived objects: client_java's default of up to ten at once is what a burst of scrapers fills the
     * heap with, and the DaemonSet's half a CPU renders no faster with more. (An unbounded queue instead
     * would hold every connection of a burst, each with its buffers, until the heap ran out.) The server
     * shuts it down on close.
     */
    static ExecutorService httpThreads() {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(HTTP_THREADS, HTTP_THREADS, 0, TimeUnit.MILLISECONDS, new SynchronousQueue<>(), task -> {
            Thread thread = new Thread(task, "dentrywatch-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, (task, executor) -> {
            try {
                // a SynchronousQueue's put waits for an idle thread to take the request
                if (executor.isShutdown() || !executor.getQueue().offer(task, 1, TimeUnit.MINUTES)) {
                    throw new RejectedExecutionException("no HTTP thread took the request within a minute");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException("interrupted while waiting for an HTTP thread", e);
            }
        });
    }

    private static DentrySampler openSampler(ExporterConfig config) throws StartupException {
        try {
            return DentrySampler.builder()
                    .attachMode(config.attachMode())
                    .cgroupKey(config.cgroupKey())
                    .mapCapacity(config.mapCapacity())
                    .removedCgroupGrace(config.gracePeriod())
                    .procRoot(config.procRoot())
                    .negativeSources(config.negativeSources())
                    .negativeSourcesNodeCap(config.negativeSourcesNodeCap())
                    .build();
        } catch (BpfException e) {
            throw new StartupException(ExitCode.CANNOT_MONITOR, "ATTACH_MODE=" + config.attachMode().name()
                    .toLowerCase(Locale.ROOT) + " cannot be used here: " + e.getMessage()
                    + ". Use ATTACH_MODE=auto to run with the best mode this node allows.", e);
        } catch (UncheckedIOException | MalformedProcFileException e) {
            throw new StartupException(ExitCode.CANNOT_MONITOR, "cannot read the node's procfs under "
                    + config.procRoot() + ": " + e.getMessage() + ". Set PROC_ROOT to where the node's /proc is mounted.",
                    e);
        }
    }

    private static Optional<ExporterExtension> openExtension(ExtensionFactory factory, ExporterConfig config,
                                                             ContainerResolver resolver, PrometheusRegistry registry) {
        ExporterExtension extension = null;
        try {
            extension = factory.open(config, resolver).orElse(null);
            if (extension == null) {
                return Optional.empty();
            }
            registry.register(extension.collector());
            LOG.info("extension {}: {}", extension.name(), extension.status());
            return Optional.of(extension);
        } catch (RuntimeException e) {
            LOG.error("an extension failed to start; the exporter runs without it: {}", e.toString(), e);
            if (extension != null) {
                closeQuietly(extension);
            }
            return Optional.empty();
        }
    }

    private static String summary(SamplerInfo info, ExporterConfig config) {
        StringBuilder s = new StringBuilder();
        if (info.mode() == AttachMode.NONE) {
            s.append("mode none (node-wide numbers only)");
        } else {
            s.append("mode ").append(info.mode().name().toLowerCase(Locale.ROOT));
        }
        s.append(", kernel ").append(info.kernel())
                .append(", cgroups ").append(info.cgroupMode())
                .append(" (counting by ").append(info.cgroupKey().name().toLowerCase(Locale.ROOT)).append(" cgroup)")
                .append(", containers named ").append(config.kubernetes() ? "from the Kubernetes API" : "from cgroup paths");
        if (!info.degraded().isEmpty()) {
            s.append(", degraded: ").append(String.join("; ", info.degraded()));
        }
        return s.toString();
    }

    private static String hostForUrl(ExporterConfig config) {
        String host = config.metricsAddress().orElse("[::]");
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private List<String> healthDetails() {
        List<String> lines = new ArrayList<>();
        kubernetes.ifPresent(k -> lines.add("kubernetes: " + k.status().state() + ": " + k.status().message()));
        extensions.forEach(e -> lines.add(e.name() + ": " + e.status()));
        return lines;
    }

    /**
     * The port the server listens on, the one configured or, for port 0, the one picked.
     *
     * @return the bound port
     */
    public int port() {
        return server.getPort();
    }

    /**
     * Blocks until {@link #close()} has finished.
     *
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /**
     * Stops serving, then closes the extensions, the resolver and the sampler, which detaches every
     * probe. Idempotent; called by the shutdown hook on SIGTERM.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        long start = System.nanoTime();
        LOG.info("stopping: no more scrapes, detaching the probes");
        health.stopping();
        try {
            server.close();
            extensions.reversed().forEach(Exporter::closeQuietly);
            kubernetes.ifPresent(KubernetesContainerResolver::close);
            sampler.close();
            LOG.info("stopped in {} ms: HTTP server closed, probes detached", (System.nanoTime() - start) / 1_000_000);
        } finally {
            closed.countDown();
        }
    }

    private static void closeQuietly(ExporterExtension extension) {
        try {
            extension.close();
        } catch (RuntimeException e) {
            LOG.warn("extension {} failed to close: {}", extension.name(), e.toString());
        }
    }
}
