package io.dentrywatch.core;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.CounterTable;
import io.dentrywatch.bpf.PerCpuArrayReader;
import io.dentrywatch.bpf.PerCpuMapReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts dentry allocations per cgroup with BPF and reads the node's dentry cache state.
 *
 * <pre>{@code
 * try (DentrySampler sampler = DentrySampler.builder().build()) {
 *     DentrySample sample = sampler.sample();
 *     System.out.println(sample.node().total() + " dentries, mode " + sampler.mode());
 *     for (CgroupDentryCounts c : sample.cgroups()) {
 *         System.out.println(c.path() + " " + c.allocations());
 *     }
 * }
 * }</pre>
 *
 * <p>Without the privileges for BPF (or with {@link AttachMode#NONE}) the sampler opens in node-only
 * mode: {@link #mode()} is {@link AttachMode#NONE}, samples have no cgroups, and
 * {@link SamplerInfo#degraded()} says why. {@link #sample()} is thread-safe; {@link #close()} detaches
 * every probe.
 */
public final class DentrySampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DentrySampler.class);
    static final Path DENTRY_STATE = Path.of("/proc/sys/fs/dentry-state");

    private final Path dentryState;
    private final boolean kernelReportsNegative;
    private final SamplerInfo info;
    private final Set<DentryCounter> counters;
    private final DentryProbes probes;
    private final PerCpuMapReader countsReader;
    private final PerCpuArrayReader dropsReader;
    private final CounterTable table;
    private final CgroupHierarchy hierarchy;
    private boolean closed;

    private DentrySampler(Builder b) {
        KernelRelease kernel = KernelRelease.parse(read(b.procRoot.resolve("sys/kernel/osrelease")));
        CgroupMounts mounts = CgroupMounts.parse(read(b.procRoot.resolve("self/mountinfo")), b.procRoot.resolve("self/mountinfo"));
        this.dentryState = b.procRoot.resolve("sys/fs/dentry-state");
        this.kernelReportsNegative = kernel.atLeast(4, 19);
        List<String> degraded = new ArrayList<>();
        Path cgroupRoot = b.cgroupRoot != null ? b.cgroupRoot : mounts.unified().orElse(null);
        DentryProbes opened = null;
        if (b.attachMode != AttachMode.NONE) {
            Capabilities caps = Capabilities.parseStatus(read(b.procRoot.resolve("self/status")), b.procRoot.resolve("self/status"));
            if (cgroupRoot == null) {
                notAvailable(b.attachMode, degraded, new BpfException.NotSupported("no cgroup v2 hierarchy is mounted;"
                        + " per-cgroup counts are keyed by v2 cgroup id: mount cgroup2 (for example at /sys/fs/cgroup/unified)", 0));
            } else if (!caps.canTrace()) {
                notAvailable(b.attachMode, degraded, new BpfException.PermissionDenied(caps.missingForTracing(), 1));
            } else {
                List<String> failures = new ArrayList<>();
                try {
                    opened = DentryProbes.open(b.attachMode, b.mapCapacity, kernel, failures);
                } catch (BpfException e) {
                    notAvailable(b.attachMode, degraded, e);
                    if (b.attachMode == AttachMode.AUTO) {
                        degraded.clear();
                        degraded.add("no attach mode works on this kernel, per-cgroup counts are unavailable: "
                                + String.join("; ", failures));
                    }
                }
            }
        }
        this.probes = opened;
        AttachMode mode = opened == null ? AttachMode.NONE : opened.mode();
        if (opened != null) {
            try {
                this.countsReader = new PerCpuMapReader(opened.counts(), b.readStrategy);
                this.dropsReader = new PerCpuArrayReader(opened.drops());
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            this.table = new CounterTable(countsReader.fields(), b.mapCapacity);
            this.hierarchy = new CgroupHierarchy(cgroupRoot);
            this.hierarchy.rescan();
            this.counters = Set.of(DentryCounter.ALLOC);
        } else {
            this.countsReader = null;
            this.dropsReader = null;
            this.table = null;
            this.hierarchy = null;
            this.counters = Set.of();
        }
        this.info = new SamplerInfo(mode, kernel.release(), mounts.mode(), version(), degraded);
        LOG.info("dentrywatch {}: mode {}, kernel {}, cgroup {}{}", info.version(), mode, kernel, mounts.mode(),
                degraded.isEmpty() ? "" : " (degraded: " + String.join("; ", degraded) + ")");
    }

    /** A forced mode must work or fail loudly; AUTO degrades to node-only and says why. */
    private static void notAvailable(AttachMode requested, List<String> degraded, BpfException e) {
        if (requested != AttachMode.AUTO) {
            throw e;
        }
        degraded.add("per-cgroup counts are unavailable: " + e.getMessage());
    }

    /** A builder with the defaults: {@link AttachMode#AUTO}, 16,384 cgroups, the host's cgroup v2 mount. */
    public static Builder builder() {
        return new Builder();
    }

    /** The live attach mode: {@link AttachMode#FENTRY}, {@link AttachMode#KPROBE}, {@link AttachMode#TRACEPOINT}, or {@link AttachMode#NONE}. */
    public AttachMode mode() {
        return info.mode();
    }

    /** The kernel, cgroup mode, version, live mode and what is degraded. */
    public SamplerInfo info() {
        return info;
    }

    /**
     * Reads the kernel now.
     *
     * @throws MalformedProcFileException if {@code /proc/sys/fs/dentry-state} cannot be parsed
     * @throws IllegalStateException      if the sampler is closed
     */
    public synchronized DentrySample sample() {
        if (closed) {
            throw new IllegalStateException("the sampler is closed");
        }
        long start = System.nanoTime();
        Instant time = Instant.now();
        NodeDentryState node = DentryStateParser.parse(read(dentryState), dentryState, kernelReportsNegative);
        List<CgroupDentryCounts> cgroups = List.of();
        long drops = 0;
        if (probes != null) {
            readCounts();
            drops = dropsReader.sum(0);
            cgroups = cgroups();
        }
        return new DentrySample(time, info, counters, node, cgroups, drops, Duration.ofNanos(System.nanoTime() - start));
    }

    /** The map read alone: into buffers allocated once (what the allocation test measures). */
    synchronized int readCounts() {
        return countsReader.read(table);
    }

    private List<CgroupDentryCounts> cgroups() {
        List<CgroupDentryCounts> out = new ArrayList<>(table.size());
        boolean mayRescan = true;
        for (int row = 0; row < table.size(); row++) {
            long id = table.key(row);
            String path = hierarchy.path(id, mayRescan);
            if (path == null) {
                mayRescan = false; // one walk per sample at most
                path = "/<unknown id " + id + ">";
            }
            out.add(new CgroupDentryCounts(id, path, table.value(row, 0)));
        }
        return out;
    }

    /** Detaches every probe and frees the map buffers. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (probes != null) {
            countsReader.close();
            dropsReader.close();
            probes.close();
        }
    }

    private static String read(Path file) {
        return ProcFiles.read(file);
    }

    private static String version() {
        try (InputStream in = DentrySampler.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Configures a {@link DentrySampler}. */
    public static final class Builder {
        private AttachMode attachMode = AttachMode.AUTO;
        private int mapCapacity = 16_384;
        private Path cgroupRoot;
        private Path procRoot = Path.of("/proc");
        private PerCpuMapReader.Strategy readStrategy = PerCpuMapReader.Strategy.BATCH;

        private Builder() {
        }

        /** The attach mode; {@link AttachMode#AUTO} (default) picks the best the kernel allows. */
        public Builder attachMode(AttachMode mode) {
            this.attachMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** How many cgroups the kernel map holds (default 16,384); events of further cgroups are counted as drops. */
        public Builder mapCapacity(int cgroups) {
            if (cgroups < 1) {
                throw new IllegalArgumentException("map capacity must be positive: " + cgroups);
            }
            this.mapCapacity = cgroups;
            return this;
        }

        /** The cgroup v2 mount to resolve ids in (default: found in {@code /proc/self/mountinfo}). */
        public Builder cgroupRoot(Path root) {
            this.cgroupRoot = Objects.requireNonNull(root, "root");
            return this;
        }

        /** Where procfs is mounted (default {@code /proc}); a host's procfs mounted elsewhere in a container. */
        public Builder procRoot(Path root) {
            this.procRoot = Objects.requireNonNull(root, "root");
            return this;
        }

        /** How the kernel map is walked (default batch lookups, falling back to iteration before kernel 5.6). */
        public Builder readStrategy(PerCpuMapReader.Strategy strategy) {
            this.readStrategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * Opens the sampler: loads and attaches the probes of the chosen mode.
         *
         * @throws BpfException if a forced mode (not AUTO) cannot be used on this kernel or with these privileges
         */
        public DentrySampler build() {
            return new DentrySampler(this);
        }
    }
}
