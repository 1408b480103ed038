package io.dentrywatch.core;

import io.dentrywatch.cgroup.CgroupHierarchy;
import io.dentrywatch.internal.host.CgroupMounts;
import io.dentrywatch.internal.host.Host;
import io.dentrywatch.internal.probe.DentryProbes;

import io.dentrywatch.bpf.CounterTable;
import io.dentrywatch.bpf.PerCpuMapReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link DentryProbes} opened directly, with the options a sampler never sets (a hook pointed at
 * another function, raw tracepoints where the kernel takes tp_btf), and their per-cgroup map read
 * the way {@link DentrySampler} reads it: into a {@link CounterTable}, through a {@link CgroupLedger}.
 */
final class OpenedProbes implements AutoCloseable {

    static final int CAPACITY = 16_384;

    private final DentryProbes probes;
    private final PerCpuMapReader reader;
    private final CounterTable table;
    private final CgroupLedger ledger;

    private OpenedProbes(DentryProbes probes, PerCpuMapReader reader, CgroupLedger ledger) {
        this.probes = probes;
        this.reader = reader;
        this.table = new CounterTable(reader.fields(), CAPACITY);
        this.ledger = ledger;
    }

    /** The probes of {@code mode} (AUTO: the first that works) counting by {@code requested}, from the host's {@code /proc}. */
    static OpenedProbes open(AttachMode mode, CgroupKey requested, Map<String, String> targetOverrides,
                             boolean rawTracepoints) {
        Host host = Host.read(Path.of("/proc"));
        CgroupMounts mounts = host.mounts();
        CgroupKey key = requested != CgroupKey.AUTO ? requested
                : mounts.mode().equals("v2") ? CgroupKey.V2 : CgroupKey.MEMORY;
        // as the sampler: reclaim is creditable where cgroup ids are memory cgroup ids
        boolean memcgIds = key == CgroupKey.MEMORY || mounts.mode().equals("v2");
        Path root = (key == CgroupKey.MEMORY ? mounts.memory().or(mounts::unified) : mounts.unified()).orElseThrow();
        DentryProbes probes = DentryProbes.open(mode, new DentryProbes.Options(CAPACITY, key == CgroupKey.MEMORY,
                memcgIds, host, targetOverrides, rawTracepoints), new ArrayList<>());
        try {
            CgroupHierarchy hierarchy = new CgroupHierarchy(root);
            hierarchy.rescan();
            return new OpenedProbes(probes, new PerCpuMapReader(probes.counts(), PerCpuMapReader.Strategy.BATCH),
                    new CgroupLedger(hierarchy, Duration.ofMinutes(5), !host.kernel().atLeast(5, 5)));
        } catch (RuntimeException e) {
            probes.close();
            throw e;
        }
    }

    DentryProbes probes() {
        return probes;
    }

    /** The map read alone, into buffers allocated once: how many cgroups it holds. */
    int read() {
        return reader.read(table);
    }

    /** The per-cgroup counts as a sample reports them. */
    List<CgroupDentryCounts> cgroups() {
        read();
        return ledger.update(table, Instant.now(), reader::delete);
    }

    /** The allocations counted for one cgroup. */
    long allocations(long cgroupId) {
        List<CgroupDentryCounts> cgroups = cgroups();
        return cgroups.stream().filter(c -> c.cgroupId() == cgroupId).mapToLong(CgroupDentryCounts::allocations)
                .findFirst().orElseThrow(() -> new AssertionError("cgroup " + cgroupId + " not in " + cgroups));
    }

    @Override
    public void close() {
        try {
            reader.close();
        } finally {
            probes.close();
        }
    }
}
