package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.NativeCall;
import io.dentrywatch.bpf.internal.Tracefs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One program of a {@link BpfObject}. Choose before load whether it loads ({@link #setAutoload}) and,
 * for fentry/fexit, which kernel function it traces ({@link #setAttachTarget}); attach after load.
 * Links created here are owned by the object and destroyed when it closes, or earlier by
 * {@link BpfLink#close()}.
 */
public final class BpfProgram {

    private final BpfObject object;
    private final String name;
    private final MemorySegment handle;

    BpfProgram(BpfObject object, String name, MemorySegment handle) {
        this.object = object;
        this.name = name;
        this.handle = handle;
    }

    /** The program's function name in the object. */
    public String name() {
        return name;
    }

    /** Whether {@link BpfObject#load()} loads this program (default: yes). */
    public void setAutoload(boolean autoload) {
        object.requireNotLoaded("set autoload of " + name);
        int rc = NativeCall.invoke(() -> (int) Libbpf.PROGRAM_SET_AUTOLOAD.invokeExact(handle, autoload));
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "set autoload of " + name);
        }
    }

    /** Retargets an fentry/fexit program to another kernel function before load. */
    public void setAttachTarget(String function) {
        object.requireNotLoaded("set attach target of " + name);
        int rc = NativeCall.invoke(() -> (int) Libbpf.PROGRAM_SET_ATTACH_TARGET.invokeExact(
                handle, 0, object.arena().allocateFrom(function)));
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "set attach target of " + name + " to " + function);
        }
    }

    /** Attaches where the program's section says (fentry/fexit, raw_tp, tp, kprobe with a target). */
    public BpfLink attach() {
        return link("attach " + name, state -> (MemorySegment) Libbpf.PROGRAM_ATTACH.invokeExact(state, handle));
    }

    /**
     * Attaches as a kprobe or kretprobe on a kernel function.
     *
     * @param function  the kernel function, as in {@code /proc/kallsyms}
     * @param retprobe  {@code true} for a kretprobe (runs on return)
     */
    public BpfLink attachKprobe(String function, boolean retprobe) {
        String what = "attach " + (retprobe ? "kretprobe " : "kprobe ") + function + " (" + name + ")";
        return link(what, state -> (MemorySegment) Libbpf.PROGRAM_ATTACH_KPROBE.invokeExact(
                state, handle, retprobe, object.arena().allocateFrom(function)));
    }

    /**
     * Attaches to a classic tracepoint. Classic tracepoints resolve their id through tracefs: this
     * checks that tracefs is mounted and says how to mount it if not.
     */
    public BpfLink attachTracepoint(String category, String event) {
        Tracefs.require(category, event);
        return link("attach tracepoint " + category + ":" + event + " (" + name + ")",
                state -> (MemorySegment) Libbpf.PROGRAM_ATTACH_TRACEPOINT.invokeExact(
                        state, handle, object.arena().allocateFrom(category), object.arena().allocateFrom(event)));
    }

    /** Attaches to a raw tracepoint by name (no tracefs needed). */
    public BpfLink attachRawTracepoint(String tracepoint) {
        return link("attach raw tracepoint " + tracepoint + " (" + name + ")",
                state -> (MemorySegment) Libbpf.PROGRAM_ATTACH_RAW_TRACEPOINT.invokeExact(
                        state, handle, object.arena().allocateFrom(tracepoint)));
    }

    private interface Attach {
        MemorySegment call(MemorySegment callState) throws Throwable;
    }

    private BpfLink link(String what, Attach attach) {
        object.requireLoaded(what);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Libbpf.CALL_STATE);
            MemorySegment link = NativeCall.invoke(() -> attach.call(state));
            if (link.equals(MemorySegment.NULL)) {
                throw BpfException.fromErrno(Libbpf.errno(state), what);
            }
            return object.register(new BpfLink(object, what, link));
        }
    }
}
