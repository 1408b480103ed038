package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.NativeCall;
import java.lang.foreign.MemorySegment;

/** An attached program. Closing it detaches the program; closing its {@link BpfObject} closes it too. */
public final class BpfLink implements AutoCloseable {

    private final BpfObject object;
    private final String description;
    private final MemorySegment handle;
    private boolean closed;

    BpfLink(BpfObject object, String description, MemorySegment handle) {
        this.object = object;
        this.description = description;
        this.handle = handle;
    }

    /** What was attached where, for example {@code attach kretprobe __d_alloc (kretprobe_d_alloc)}. */
    public String description() {
        return description;
    }

    /** Detaches the program ({@code bpf_link__destroy}). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        object.forget(this);
        int rc = NativeCall.invoke(() -> (int) Libbpf.LINK_DESTROY.invokeExact(handle));
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "detach " + description);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
