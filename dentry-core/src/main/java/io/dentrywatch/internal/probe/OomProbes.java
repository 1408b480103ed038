package io.dentrywatch.internal.probe;


import io.dentrywatch.bpf.BpfException;
import io.dentrywatch.bpf.BpfLink;
import io.dentrywatch.bpf.BpfMap;
import io.dentrywatch.bpf.BpfObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded {@code oom.bpf.o} (or {@code oom_perf.bpf.o}) and its raw tracepoints. The hooks that
 * feed the correlation state attach first ({@link #attachCorrelation}), the one that emits events
 * last ({@link #attachVictims}), once a reader is on the event map. Closing destroys the links
 * newest first, then unloads the object.
 */
public final class OomProbes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OomProbes.class);

    public static final String RING_OBJECT = "oom.bpf.o";
    public static final String PERF_OBJECT = "oom_perf.bpf.o";
    public static final String EVENTS_MAP = "oom_events";
    public static final String LOST_MAP = "oom_lost_events";

    private static final String MARK_VICTIM = "oom_mark_victim";
    private static final String SIGNAL_GENERATE = "oom_signal_gen";
    private static final String MEMCG_RECLAIM = "oom_memcg_recl";
    private static final String DIRECT_RECLAIM = "oom_direct_recl";

    private final BpfObject object;
    private boolean scopeKnown;

    private OomProbes(BpfObject object) {
        this.object = object;
    }

    /** Opens and loads the ring-buffer object (kernel 5.8+) or the perf-buffer one (any kernel). */
    public static OomProbes load(boolean ringBuffer) {
        String resource = ringBuffer ? RING_OBJECT : PERF_OBJECT;
        BpfObject object = BpfObject.openResource(resource);
        try {
            object.load();
            return new OomProbes(object);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    public BpfMap events() {
        return object.map(EVENTS_MAP);
    }

    public BpfMap lost() {
        return object.map(LOST_MAP);
    }

    /** Whether both reclaim hooks are attached, so events say which scope ran out of memory. */
    public boolean scopeKnown() {
        return scopeKnown;
    }

    /**
     * Attaches signal:signal_generate (required: it identifies the victim and tells kills apart) and
     * the two vmscan reclaim tracepoints (optional: without both, the scope is unknown).
     *
     * @param degraded receives a line for each optional hook that could not be attached
     */
    public void attachCorrelation(List<String> degraded) {
        object.program(SIGNAL_GENERATE).attachRawTracepoint("signal_generate");
        BpfLink memcg = null;
        try {
            memcg = object.program(MEMCG_RECLAIM).attachRawTracepoint("mm_vmscan_memcg_reclaim_begin");
            object.program(DIRECT_RECLAIM).attachRawTracepoint("mm_vmscan_direct_reclaim_begin");
            scopeKnown = true;
        } catch (BpfException e) {
            if (memcg != null) {
                memcg.close(); // one reclaim hook alone would mislabel the other kind
            }
            String line = "OOM scope (memory cgroup or global) is unknown: the vmscan reclaim tracepoints"
                    + " could not be attached (" + e.getMessage() + ")";
            LOG.warn("{}", line);
            degraded.add(line);
        }
    }

    /** Attaches oom:mark_victim; from here on events flow. */
    public void attachVictims() {
        object.program(MARK_VICTIM).attachRawTracepoint("mark_victim");
    }

    @Override
    public void close() {
        object.close();
    }
}
