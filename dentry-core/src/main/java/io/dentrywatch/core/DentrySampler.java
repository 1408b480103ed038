package io.dentrywatch.core;

import io.dentrywatch.cgroup.CgroupHierarchy;
import io.dentrywatch.internal.host.CgroupMounts;
import io.dentrywatch.internal.host.DentryStateParser;
import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.host.KernelRelease;
import io.dentrywatch.internal.host.ProcFiles;
import io.dentrywatch.internal.probe.DentryProbes;
import io.dentrywatch.internal.probe.NodeCounter;
import io.dentrywatch.internal.probe.SourceProbes;

import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.BpfMap;
import io.dentrywatch.bpf.CounterTable;
import io.dentrywatch.bpf.HashMapReader;
import io.dentrywatch.bpf.PerCpuMapReader;
import io.dentrywatch.bpf.PerCpuArrayReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the dentry lifecycle per cgroup with BPF — allocated, made positive, made negative by a
 * lookup miss or by unlink — and reads the node's dentry cache state.
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
 * {@link SamplerInfo#degraded()} says why. Counters the mode or kernel cannot feed are missing from
 * {@link DentrySample#counters()}. Cgroups that are removed are deleted from the kernel map; their
 * last counts are reported for a grace period. {@link #sample()} is thread-safe; {@link #close()}
 * detaches every probe.
 */
public final class DentrySampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DentrySampler.class);
    /** Rows the sampler's counter table starts with; it doubles when a read returns more. */
    private static final int INITIAL_TABLE_ROWS = 1024;

    private final Path dentryState;
    private final boolean kernelReportsNegative;
    private final SamplerInfo info;
    private final Set<DentryCounter> counters;
    private final DentryProbes probes;
    private final PerCpuMapReader countsReader;
    private final PerCpuArrayReader nodeReader;
    /** The node-wide {@code struct node_counts}, summed over CPUs: read into by every sample. */
    private final long[] nodeCounts = new long[NodeCounter.VALUE_LONGS];
    private final CounterTable table;
    private final CgroupLedger ledger;
    private final long attachedAt = System.nanoTime();
    private NodeDentryState cachedBefore; // fixed by the first sample a settling time after the probes attached
    // negative sources (opt-in): null when not requested or unavailable
    private final SourceProbes sourceProbes;
    private final HashMapReader sourcesReader;
    private final PerCpuArrayReader sourceStatsReader;
    private final long[] sourceStats = new long[2]; // struct source_stats: inserts, failed inserts
    private final SourcesLedger sourcesLedger;
    private final NegativeSources sourcesUnavailable;
    private boolean closed;

    private DentrySampler(Builder b) {
        Host host = Host.read(b.procRoot);
        KernelRelease kernel = host.kernel();
        CgroupMounts mounts = host.mounts();
        this.dentryState = host.dentryState();
        this.kernelReportsNegative = DentryStateParser.reportsNegative(kernel);
        CgroupKey key = b.cgroupKey != CgroupKey.AUTO ? b.cgroupKey
                : mounts.mode().equals("v2") ? CgroupKey.V2 : CgroupKey.MEMORY;
        List<String> degraded = new ArrayList<>();
        DentryProbes opened = null;
        Path cgroupRoot = null;
        if (b.attachMode != AttachMode.NONE) {
            try {
                cgroupRoot = b.cgroupRoot != null ? b.cgroupRoot : hierarchyRoot(key, mounts);
                host.requireTracing("per-cgroup counts need");
                List<String> failures = new ArrayList<>();
                // reclaim and dentry owners are memory cgroups: countable where cgroup ids are memcg ids
                boolean memcgIds = key == CgroupKey.MEMORY || mounts.mode().equals("v2");
                DentryProbes.Options options = new DentryProbes.Options(
                        b.mapCapacity, key == CgroupKey.MEMORY, memcgIds, host, Map.of(), false);
                try {
                    opened = DentryProbes.open(b.attachMode, options, failures);
                } catch (BpfException e) {
                    if (b.attachMode == AttachMode.AUTO && !failures.isEmpty()) {
                        throw new BpfException.NotSupported("no attach mode works on this kernel: "
                                + String.join("; ", failures), e);
                    }
                    throw e;
                }
            } catch (BpfException e) {
                if (b.attachMode != AttachMode.AUTO) {
                    throw e; // a forced mode must work or fail loudly
                }
                degraded.add("per-cgroup counts are unavailable: " + e.getMessage());
            }
        }
        this.probes = opened;
        if (opened != null) {
            try {
                requireValueOf(opened.counts(), DentryCounter.cgroupSlots());
                requireValueOf(opened.nodeCounts(), NodeCounter.VALUE_LONGS);
                this.countsReader = new PerCpuMapReader(opened.counts(), b.readStrategy);
                this.nodeReader = new PerCpuArrayReader(opened.nodeCounts());
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            // sized for a typical node, not the map's capacity (16,384 rows were 1.3 MB of live heap): it grows when read
            this.table = new CounterTable(countsReader.fields(), Math.min(b.mapCapacity, INITIAL_TABLE_ROWS));
            CgroupHierarchy hierarchy = new CgroupHierarchy(cgroupRoot);
            hierarchy.rescan();
            this.ledger = new CgroupLedger(hierarchy, b.removedCgroupGrace, !kernel.atLeast(5, 5));
            this.counters = opened.counters();
            degraded.addAll(opened.degraded());
        } else {
            this.countsReader = null;
            this.nodeReader = null;
            this.table = null;
            this.ledger = null;
            this.counters = Set.of();
        }
        AttachMode mode = opened == null ? AttachMode.NONE : opened.mode();
        SourceProbes sources = null;
        NegativeSources sourcesMissing = NegativeSources.NOT_REQUESTED;
        if (b.sourcesTopK > 0) {
            Optional<String> why = SourceProbes.unavailableIn(mode);
            if (why.isEmpty()) {
                try {
                    sources = SourceProbes.open(mode, b.sourcesCapacity, key == CgroupKey.MEMORY, host);
                } catch (BpfException e) {
                    why = Optional.of("negative sources could not be attached: " + e.getMessage());
                }
            }
            if (why.isPresent()) {
                sourcesMissing = NegativeSources.unavailable(why.get());
                degraded.add("negative sources unavailable: " + why.get());
            }
        }
        this.sourceProbes = sources;
        this.sourcesUnavailable = sourcesMissing;
        if (sources != null) {
            this.sourcesReader = new HashMapReader(sources.sources());
            this.sourceStatsReader = new PerCpuArrayReader(sources.stats());
            this.sourcesLedger = new SourcesLedger(b.sourcesTopK, b.sourcesNodeCap, b.foldDirectoryNames);
        } else {
            this.sourcesReader = null;
            this.sourceStatsReader = null;
            this.sourcesLedger = null;
        }
        this.info = new SamplerInfo(mode, kernel.release(), mounts.mode(), key, version(), degraded);
        LOG.info("dentrywatch {}: mode {}, kernel {}, cgroup {} (counting by {} cgroup{}), counters {}, programs {}{}",
                info.version(), mode, kernel, mounts.mode(), key, cgroupRoot == null ? "" : " under " + cgroupRoot,
                new java.util.TreeSet<>(counters), opened == null ? List.of() : opened.programs(),
                degraded.isEmpty() ? "" : "; degraded: " + String.join("; ", degraded));
    }

    /** The map's value is {@code counters} {@code u64}s, as the slots this code reads say: not so if dentry-bpf is of another version. */
    private static void requireValueOf(BpfMap map, int counters) {
        if (map.valueSize() != 8 * counters) {
            throw new IllegalStateException(DentryProbes.OBJECT + "'s map " + map.name() + " holds " + map.valueSize()
                    + " bytes per entry where dentry-core reads " + counters + " counters: dentry-bpf and dentry-core"
                    + " must be of the same version");
        }
    }

    /** Where the ids of {@code key} resolve: the v1 memory hierarchy if mounted, else the unified one. */
    private static Path hierarchyRoot(CgroupKey key, CgroupMounts mounts) {
        Optional<Path> root = key == CgroupKey.MEMORY ? mounts.memory().or(mounts::unified) : mounts.unified();
        return root.orElseThrow(() -> new BpfException.NotSupported(key == CgroupKey.V2
                ? "counting by v2 cgroup needs a cgroup2 hierarchy, and none is mounted: mount cgroup2 (for example"
                        + " at /sys/fs/cgroup/unified) or count by memory cgroup"
                : "counting by memory cgroup needs the memory controller's hierarchy, and none is mounted"));
    }

    /** A builder with the defaults: {@link AttachMode#AUTO}, {@link CgroupKey#AUTO}, 16,384 cgroups, 5 minutes' grace. */
    public static Builder builder() {
        return new Builder();
    }

    /** The live attach mode: {@link AttachMode#FENTRY}, {@link AttachMode#KPROBE}, {@link AttachMode#TRACEPOINT}, or {@link AttachMode#NONE}. */
    public AttachMode mode() {
        return info.mode();
    }

    /**
     * The dentries cached before the sampler started, which no cgroup's {@link CgroupDentryCounts#resident()}
     * counts: the node's total, unused and negative count minus every cgroup's resident and
     * {@linkplain CgroupDentryCounts#negativeResident() negative resident} dentries, taken once by the first
     * sample at least {@value #SETTLE_MILLIS} ms after the probes attached. From then on its total plus
     * every cgroup's resident dentries is the node's total ({@code /proc/sys/fs/dentry-state}), and likewise
     * for the negative ones. The wait lets the dentries killed just before the probes attached be freed
     * first: on the slab tracepoints a free is seen an RCU grace period after the kill, and such a free
     * would otherwise be counted against an owner whose dentry was never counted. Empty until then, and
     * where the mode cannot tell owners.
     */
    public synchronized Optional<NodeDentryState> cachedBeforeStart() {
        return Optional.ofNullable(cachedBefore);
    }

    /** How long after attaching the probes {@link #cachedBeforeStart()} is taken. */
    public static final long SETTLE_MILLIS = 1_000;

    /** The kernel, cgroup mode and key, version, live mode and what is degraded. */
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
        NodeDentryState node = DentryStateParser.parse(ProcFiles.read(dentryState), dentryState, kernelReportsNegative);
        List<CgroupDentryCounts> cgroups = List.of();
        long freed = 0;
        long drops = 0;
        long ownerUnknown = 0;
        DentryReclaim reclaim = DentryReclaim.NONE;
        if (probes != null) {
            readCounts();
            cgroups = ledger.update(table, time, countsReader::delete);
            nodeReader.sum(0, nodeCounts);
            freed = NodeCounter.FREED.in(nodeCounts);
            drops = NodeCounter.MAP_FULL_DROPS.in(nodeCounts);
            ownerUnknown = NodeCounter.OWNER_UNKNOWN.in(nodeCounts);
            reclaim = readReclaim();
            if (cachedBefore == null && counters.contains(DentryCounter.CHARGED)
                    && System.nanoTime() - attachedAt >= SETTLE_MILLIS * 1_000_000) {
                cachedBefore = cachedBefore(node, cgroups);
            }
        }
        NegativeSources sources = sourcesUnavailable;
        if (sourceProbes != null) {
            sources = readSources(time, cgroups);
        }
        return new DentrySample(time, info, counters, node, cgroups, freed, reclaim, drops,
                Duration.ofNanos(System.nanoTime() - start), ownerUnknown, sources);
    }

    private NodeDentryState cachedBefore(NodeDentryState node, List<CgroupDentryCounts> cgroups) {
        long resident = 0;
        long negative = 0;
        for (CgroupDentryCounts c : cgroups) {
            resident += c.resident();
            negative += c.negativeResident();
        }
        boolean negativeKnown = counters.contains(DentryCounter.BOUND) && counters.contains(DentryCounter.UNBOUND);
        long negativeResident = negative;
        OptionalLong before = negativeKnown && node.negative().isPresent()
                ? OptionalLong.of(node.negative().getAsLong() - negativeResident) : node.negative();
        return new NodeDentryState(node.total() - resident, node.unused(), before);
    }

    /** Reclaim from the node counts the sample has just read. */
    private DentryReclaim readReclaim() {
        List<Long> buckets = new ArrayList<>(NodeCounter.LATENCY_BUCKETS);
        if (counters.contains(DentryCounter.RECLAIM)) {
            for (int i = 0; i < NodeCounter.LATENCY_BUCKETS; i++) {
                buckets.add(NodeCounter.bucket(nodeCounts, i));
            }
        }
        return new DentryReclaim(NodeCounter.RECLAIM_RUNS.in(nodeCounts), NodeCounter.RECLAIM_SCANNED.in(nodeCounts),
                NodeCounter.RECLAIM_FREED.in(nodeCounts), Duration.ofNanos(NodeCounter.RECLAIM_NS.in(nodeCounts)), buckets,
                NodeCounter.PRUNE_DCACHE_SB.in(nodeCounts), NodeCounter.SHRINK_DCACHE_SB.in(nodeCounts));
    }

    /** The negative-source map read and placed; cgroups are those of the sample (with their paths). */
    private NegativeSources readSources(Instant time, List<CgroupDentryCounts> cgroups) {
        Map<Long, String> paths = new java.util.HashMap<>();
        for (CgroupDentryCounts c : cgroups) {
            paths.put(c.cgroupId(), c.path());
        }
        sourcesLedger.begin(time);
        sourcesReader.read(sourcesLedger::entry);
        sourceStatsReader.sum(0, sourceStats);
        return sourcesLedger.end(paths.keySet(), id -> paths.getOrDefault(id, ""), sourceStats[0]);
    }

    /** The map read alone: into buffers allocated once. */
    private int readCounts() {
        return countsReader.read(table);
    }

    /** Detaches every probe and frees the map buffers. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sourceProbes != null) {
            sourcesReader.close();
            sourceStatsReader.close();
            sourceProbes.close();
        }
        if (probes != null) {
            countsReader.close();
            nodeReader.close();
            probes.close();
        }
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
        private CgroupKey cgroupKey = CgroupKey.AUTO;
        private int mapCapacity = 16_384;
        private Duration removedCgroupGrace = Duration.ofMinutes(5);
        private Path cgroupRoot;
        private Path procRoot = Path.of("/proc");
        private PerCpuMapReader.Strategy readStrategy = PerCpuMapReader.Strategy.BATCH;
        private int sourcesTopK;
        private int sourcesNodeCap = 500;
        private int sourcesCapacity = 8_192;
        private boolean foldDirectoryNames = true;

        private Builder() {
        }

        /** The attach mode; {@link AttachMode#AUTO} (default) picks the best the kernel allows. */
        public Builder attachMode(AttachMode mode) {
            this.attachMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Which cgroup events are counted under; {@link CgroupKey#AUTO} (default) follows the host's cgroup mode. */
        public Builder cgroupKey(CgroupKey key) {
            this.cgroupKey = Objects.requireNonNull(key, "key");
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

        /** How long a removed cgroup's last counts are still reported (default 5 minutes). */
        public Builder removedCgroupGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative: " + grace);
            }
            this.removedCgroupGrace = grace;
            return this;
        }

        /** The cgroup hierarchy to resolve ids in (default: found in {@code /proc/self/mountinfo} for the key). */
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
         * Counts where negative dentries come from: per cgroup, the {@code topK} directories its tasks made
         * the most negative dentries in (lookup misses and unlinks), the rest summed
         * ({@link DentrySample#negativeSources()}). Off by default (0). Needs fentry or kprobe mode; in other
         * modes the samples say why they have none, and so does {@link SamplerInfo#degraded()}.
         *
         * @param topK directories per cgroup, at least 1 (10 is a good start); 0 turns it off
         */
        public Builder negativeSources(int topK) {
            if (topK < 0) {
                throw new IllegalArgumentException("topK must not be negative: " + topK);
            }
            this.sourcesTopK = topK;
            return this;
        }

        /** Directories with their own count on the node, over all cgroups (default 500); the rest go to each cgroup's other. */
        public Builder negativeSourcesNodeCap(int directories) {
            if (directories < 1) {
                throw new IllegalArgumentException("the node cap must be positive: " + directories);
            }
            this.sourcesNodeCap = directories;
            return this;
        }

        /** (cgroup, directory) entries the kernel's LRU map holds (default 8,192); the least recently used are evicted. */
        public Builder negativeSourcesCapacity(int entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("capacity must be positive: " + entries);
            }
            this.sourcesCapacity = entries;
            return this;
        }

        /** Whether directory names with numbers are folded into one pattern (default true; see {@link DirectoryNames}). */
        public Builder foldDirectoryNames(boolean fold) {
            this.foldDirectoryNames = fold;
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
