package io.dentrywatch.oom;

import io.dentrywatch.cgroup.CgroupHierarchy;
import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.host.PageSize;
import io.dentrywatch.internal.probe.OomProbes;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.EventBuffer;
import io.dentrywatch.bpf.PerCpuArrayReader;
import io.dentrywatch.bpf.PerfBuffer;
import io.dentrywatch.bpf.RingBuffer;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports every process the kernel's OOM killer kills on this node, with the victim's own cgroup and
 * the memory it held, from the {@code oom:mark_victim} tracepoint.
 *
 * <pre>{@code
 * try (OomWatcher watcher = OomWatcher.builder()
 *         .listener(kill -> System.out.println(kill.cgroupPath() + ": killed " + kill.pid() + " (" + kill.comm() + "), "
 *                 + kill.bytes(MemoryType.ANON_RSS).orElse(-1) + " bytes anon"))
 *         .build()) {
 *     ...
 *     OomStats stats = watcher.stats(); // cumulative counts per node and per cgroup
 * }
 * }</pre>
 *
 * <p>A daemon thread named {@code dentrywatch-oom} polls the kernel and calls the listeners, one kill
 * at a time, in the order the kernel marked the victims. A listener that throws is logged and the
 * others still run. Kills the kernel could not hand over (a full buffer) are counted in
 * {@link OomStats#lostEvents()}, never silently lost. Only kills count: a task that is already
 * exiting when the OOM killer runs is marked without being killed, and the kernel's own
 * {@code oom_kill} counters leave it out too.
 *
 * <p>{@link #stats()} and the listener methods are thread-safe; {@link #close()} stops the thread and
 * detaches every probe.
 */
public final class OomWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OomWatcher.class);

    /** How long one poll waits; also the longest {@link #close()} waits for the thread. */
    static final int POLL_MILLIS = 100;
    /** Perf buffer size per CPU, in pages: 256 KiB (with 4 KiB pages), about 180 events. */
    static final int PERF_PAGES_PER_CPU = 64;
    /** Cgroups whose kills are kept; beyond, the least recently killed-in is forgotten. */
    static final int CGROUP_CAPACITY = 16_384;

    private final long pageSize;
    private final List<String> degraded;
    private final Path memoryV1Root;
    private final Path v2Root;
    private final OomLedger ledger = new OomLedger(CGROUP_CAPACITY);
    private final CopyOnWriteArrayList<Consumer<? super OomKill>> listeners = new CopyOnWriteArrayList<>();
    private final List<OomEvent> received = new ArrayList<>(); // the polling thread's alone
    private final OomProbes probes;
    private final PerCpuArrayReader lostReader;
    private final EventBuffer buffer;
    private final Thread poller;
    private CgroupHierarchy memoryV1; // the polling thread's alone
    private CgroupHierarchy v2;
    private boolean undecodableLogged; // the polling thread's alone
    private volatile boolean closed;
    private boolean released; // guarded by this
    private long lostAtRelease; // guarded by this

    private OomWatcher(Builder b) {
        Host host = Host.read(b.procRoot);
        host.requireTracing("the OOM watcher needs");
        this.memoryV1Root = host.mounts().memory().orElse(null);
        this.v2Root = host.mounts().unified().orElse(null);
        this.pageSize = PageSize.read(host.auxv());
        this.listeners.addAll(b.listeners);
        OomTransport transport = OomTransport.of(host.kernel());
        List<String> degradedLines = new ArrayList<>();
        OomProbes opened = OomProbes.load(transport == OomTransport.RING_BUFFER);
        PerCpuArrayReader lost = null;
        EventBuffer events = null;
        try {
            opened.attachCorrelation(degradedLines);
            lost = new PerCpuArrayReader(opened.lost());
            events = transport == OomTransport.RING_BUFFER
                    ? RingBuffer.open(opened.events(), this::onRecord)
                    : PerfBuffer.open(opened.events(), PERF_PAGES_PER_CPU, this::onRecord);
            opened.attachVictims();
        } catch (RuntimeException e) {
            if (events != null) {
                events.close();
            }
            if (lost != null) {
                lost.close();
            }
            opened.close();
            throw e;
        }
        this.probes = opened;
        this.lostReader = lost;
        this.buffer = events;
        this.degraded = List.copyOf(degradedLines);
        this.poller = Thread.ofPlatform().daemon().name("dentrywatch-oom").unstarted(this::run);
        this.poller.start();
        LOG.info("OOM watcher: kernel {}, cgroup {}, {}{}", host.kernel(), host.mounts().mode(), transport,
                degraded.isEmpty() ? "" : " (degraded: " + String.join("; ", degraded) + ")");
    }

    /** A builder: the host's {@code /proc}, no listeners yet. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Calls {@code listener} with every kill from now on, on the watcher's thread. Keep it quick: kills
     * wait while it runs.
     */
    public void addListener(Consumer<? super OomKill> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops calling {@code listener}; returns whether it was registered. */
    public boolean removeListener(Consumer<? super OomKill> listener) {
        return listeners.remove(listener);
    }

    /**
     * The kills since the watcher started: the node's total, per victim cgroup (count, last kill with
     * its time and memory), and the events lost. Works after {@link #close()} too, with the final counts.
     * At most 16,384 cgroups are kept; beyond, the one killed in least recently is dropped (its kills
     * stay in the node total).
     */
    public synchronized OomStats stats() {
        long lost = released ? lostAtRelease : lostEvents();
        return ledger.snapshot(lost);
    }

    /** What does not work on this kernel (for example the OOM scope), one line each; empty when all does. */
    public List<String> degraded() {
        return degraded;
    }

    /**
     * Stops the thread, frees the event buffer, detaches every probe and unloads them, and returns
     * when all of that is done. Called from a listener, it returns at once and the watcher's thread
     * releases everything when the listeners of the current kills have run. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        if (Thread.currentThread() == poller) {
            return; // a listener closed us: the thread releases everything when it leaves its loop
        }
        boolean interrupted = false;
        while (poller.isAlive()) {
            try {
                poller.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!closed) {
                try {
                    buffer.poll(POLL_MILLIS);
                } catch (RuntimeException e) {
                    LOG.error("polling the OOM event buffer failed, retrying in a second: {}", e.getMessage());
                    pause();
                }
                drain();
            }
        } finally {
            release();
        }
    }

    /**
     * The record handler, inside the poll's upcall: decode only, never block. A record that cannot be
     * decoded is counted as lost by the buffer; the first one is logged.
     */
    private void onRecord(MemorySegment record) {
        try {
            received.add(OomEvent.decode(record));
        } catch (RuntimeException e) {
            if (!undecodableLogged) {
                undecodableLogged = true;
                LOG.error("an OOM event could not be decoded and is counted as lost: {}", e.getMessage());
            }
            throw e;
        }
    }

    private void drain() {
        for (OomEvent event : received) {
            try {
                handle(event);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                LOG.error("could not handle OOM event of task {} ({})", event.tid(), event.comm(), t);
            }
        }
        received.clear();
    }

    private void handle(OomEvent event) {
        if (!event.killed()) {
            LOG.debug("task {} ({}) was marked as an OOM victim while exiting; not a kill", event.tid(), event.comm());
            return;
        }
        OomKill kill = new OomKill(wallTime(event.monoNanos()), event.tgid(), event.tid(), event.comm(),
                event.cgroupId(), path(event), probes.scopeKnown() ? event.scope() : OomScope.UNKNOWN,
                event.memoryBytes(pageSize), event.oomScoreAdj());
        ledger.record(kill);
        // DEBUG: an application reports kills through its listeners (the exporter logs one line per kill, resolved)
        LOG.debug("OOM kill ({}): pid {} ({}) in cgroup {}, {} bytes anonymous", kill.scope(), kill.pid(), kill.comm(),
                kill.cgroupPath(), kill.bytes(MemoryType.ANON_RSS).orElse(-1));
        for (Consumer<? super OomKill> listener : listeners) {
            try {
                listener.accept(kill);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                LOG.warn("OOM listener {} failed on the kill of pid {}", listener, kill.pid(), t);
            }
        }
    }

    /** bpf_ktime_get_ns() and System.nanoTime() are both CLOCK_MONOTONIC on Linux. */
    private static Instant wallTime(long monoNanos) {
        long age = System.nanoTime() - monoNanos;
        return Instant.now().minusNanos(Math.max(0, age));
    }

    /** The path the kernel handed over; the hierarchy's directories where it was too long for the event. */
    private String path(OomEvent event) {
        if (event.pathComplete()) {
            return event.path();
        }
        CgroupHierarchy hierarchy = hierarchy(event.inMemoryV1Hierarchy());
        String path = hierarchy == null ? null : hierarchy.path(event.cgroupId(), true);
        return path != null ? path : "/<unknown id " + event.cgroupId() + ">";
    }

    private CgroupHierarchy hierarchy(boolean memoryHierarchy) {
        if (memoryHierarchy) {
            if (memoryV1 == null && memoryV1Root != null) {
                memoryV1 = new CgroupHierarchy(memoryV1Root);
            }
            return memoryV1;
        }
        if (v2 == null && v2Root != null) {
            v2 = new CgroupHierarchy(v2Root);
        }
        return v2;
    }

    private long lostEvents() {
        return lostReader.sum(0) + buffer.lostRecords();
    }

    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            lostAtRelease = lostEvents();
        } finally {
            try {
                buffer.close();
            } finally {
                try {
                    lostReader.close();
                } finally {
                    probes.close();
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Configures an {@link OomWatcher}. */
    public static final class Builder {
        private Path procRoot = Path.of("/proc");
        private final List<Consumer<? super OomKill>> listeners = new ArrayList<>();

        private Builder() {
        }

        /** Where procfs is mounted (default {@code /proc}): the host's procfs mounted elsewhere in a container. */
        public Builder procRoot(Path root) {
            this.procRoot = Objects.requireNonNull(root, "root");
            return this;
        }

        /** A listener registered before the first event can arrive; more can be added later with {@link OomWatcher#addListener}. */
        public Builder listener(Consumer<? super OomKill> listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Loads and attaches the probes and starts the watcher's thread.
         *
         * @throws BpfException.PermissionDenied without CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)
         * @throws BpfException                  if the kernel refuses the programs; the message says why
         */
        public OomWatcher build() {
            return new OomWatcher(this);
        }
    }
}
