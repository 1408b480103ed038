package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.Libbpf;
import io.dentrywatch.bpf.internal.LibbpfLibrary;
import io.dentrywatch.bpf.internal.NativeCall;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A BPF ELF object opened with libbpf from memory: its programs and maps, then loaded into the
 * kernel. Closing it destroys every link created through its programs (newest first) and then the
 * object, which unloads its programs and closes its maps. Not thread-safe: set up and close from one
 * thread.
 */
public final class BpfObject implements AutoCloseable {

    private final String name;
    private final Arena arena;
    private final MemorySegment handle;
    private final Deque<BpfLink> links = new ArrayDeque<>();
    private boolean loaded;
    private boolean closed;

    private BpfObject(String name, Arena arena, MemorySegment handle) {
        this.name = name;
        this.arena = arena;
        this.handle = handle;
    }

    /**
     * Opens an object that dentry-bpf ships as a classpath resource, such as {@code dentry.bpf.o}.
     *
     * @throws BpfException.NotFound       if there is no such resource
     * @throws BpfException.LibraryMissing if libbpf cannot be loaded
     */
    public static BpfObject openResource(String resource) {
        byte[] elf;
        try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException.NotFound("no BPF object " + resource + " on the classpath next to "
                        + BpfObject.class.getName() + ": is the dentry-bpf jar intact?", Errno.ENOENT);
            }
            elf = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading BPF object " + resource, e);
        }
        return open(resource.replaceFirst("\\.bpf\\.o$|\\.o$", ""), elf);
    }

    /** The prefix of {@code struct bpf_object_open_opts} set here, up to {@code btf_custom_path} (libbpf 1.1). */
    private static final long OPEN_OPTS_SIZE = 56;
    private static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");

    /**
     * Opens an object from its ELF bytes ({@code bpf_object__open_mem}); nothing reaches the kernel
     * until {@link #load()}.
     *
     * @param name the object's name, as libbpf logs it
     * @param elf  the ELF file's bytes (compiled with BTF for CO-RE)
     */
    public static BpfObject open(String name, byte[] elf) {
        LibbpfLibrary.require();
        Arena arena = Arena.ofShared();
        try {
            // libbpf keeps pointing into the ELF buffer until close: it lives in the object's arena
            MemorySegment buffer = arena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, buffer, ValueLayout.JAVA_BYTE, 0, elf.length);
            // struct bpf_object_open_opts { size_t sz; const char *object_name; bool relaxed_maps;
            // const char *pin_root_path; __u32 :32; const char *kconfig; const char *btf_custom_path; ... }
            MemorySegment opts = arena.allocate(OPEN_OPTS_SIZE, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, OPEN_OPTS_SIZE);
            opts.set(ValueLayout.ADDRESS, 8, arena.allocateFrom(name));
            if (Files.isReadable(VMLINUX_BTF)) {
                // the kernel's own BTF named as the CO-RE target: libbpf 1.1 then never searches module
                // BTF for a type vmlinux lacks (a search that needs CAP_SYS_ADMIN and fails the whole load)
                opts.set(ValueLayout.ADDRESS, 48, arena.allocateFrom(VMLINUX_BTF.toString()));
            }
            MemorySegment state = arena.allocate(Libbpf.CALL_STATE);
            MemorySegment handle = (MemorySegment) Libbpf.OBJECT_OPEN_MEM.invokeExact(state, buffer, (long) elf.length, opts);
            if (handle.equals(MemorySegment.NULL)) {
                throw BpfException.fromErrno(Libbpf.errno(state), "open BPF object " + name);
            }
            return new BpfObject(name, arena, handle);
        } catch (Throwable t) {
            arena.close();
            throw NativeCall.rethrow(t);
        }
    }

    /** The object's name. */
    public String name() {
        return name;
    }

    /**
     * The program of that function name.
     *
     * @throws BpfException.NotFound if the object has no such program
     */
    public BpfProgram program(String programName) {
        requireOpen();
        MemorySegment program = NativeCall.invoke(() -> (MemorySegment) Libbpf.OBJECT_FIND_PROGRAM.invokeExact(handle, arena.allocateFrom(programName)));
        if (program.equals(MemorySegment.NULL)) {
            throw new BpfException.NotFound("BPF object " + name + " has no program " + programName, Errno.ENOENT);
        }
        return new BpfProgram(this, programName, program);
    }

    /**
     * Every program of the object, in the object's order: for example to switch autoload off for all
     * of them and load the maps alone.
     */
    public List<BpfProgram> programs() {
        requireOpen();
        List<BpfProgram> programs = new ArrayList<>();
        MemorySegment program = MemorySegment.NULL;
        while (true) {
            MemorySegment previous = program;
            program = NativeCall.invoke(() -> (MemorySegment) Libbpf.OBJECT_NEXT_PROGRAM.invokeExact(handle, previous));
            if (program.equals(MemorySegment.NULL)) {
                return List.copyOf(programs);
            }
            MemorySegment current = program;
            MemorySegment programName = NativeCall.invoke(() -> (MemorySegment) Libbpf.PROGRAM_NAME.invokeExact(current));
            programs.add(new BpfProgram(this, programName.reinterpret(Long.MAX_VALUE).getString(0), program));
        }
    }

    /**
     * The map of that name.
     *
     * @throws BpfException.NotFound if the object has no such map
     */
    public BpfMap map(String mapName) {
        requireOpen();
        MemorySegment map = NativeCall.invoke(() -> (MemorySegment) Libbpf.OBJECT_FIND_MAP.invokeExact(handle, arena.allocateFrom(mapName)));
        if (map.equals(MemorySegment.NULL)) {
            throw new BpfException.NotFound("BPF object " + name + " has no map " + mapName, Errno.ENOENT);
        }
        return new BpfMap(this, mapName, map);
    }

    /**
     * Loads the object's maps and its programs that are set to autoload into the kernel. On failure
     * libbpf has logged the verifier's output through SLF4J (logger {@code io.dentrywatch.bpf.libbpf}).
     */
    public void load() {
        requireOpen();
        int rc = NativeCall.invoke(() -> (int) Libbpf.OBJECT_LOAD.invokeExact(handle));
        if (rc < 0) {
            throw BpfException.fromErrno(rc, "load BPF object " + name);
        }
        loaded = true;
    }

    /** Whether {@link #load()} succeeded. */
    public boolean isLoaded() {
        return loaded;
    }

    /** Destroys every link of this object's programs (newest first), then unloads the object. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!links.isEmpty()) {
            links.pop().close();
        }
        try {
            Libbpf.OBJECT_CLOSE.invokeExact(handle);
        } catch (Throwable t) {
            throw NativeCall.rethrow(t);
        } finally {
            arena.close();
        }
    }

    Arena arena() {
        return arena;
    }

    BpfLink register(BpfLink link) {
        links.push(link);
        return link;
    }

    void forget(BpfLink link) {
        links.remove(link);
    }

    void requireOpen() {
        if (closed) {
            throw new IllegalStateException("BPF object " + name + " is closed");
        }
    }

    void requireLoaded(String what) {
        requireOpen();
        if (!loaded) {
            throw new IllegalStateException(what + ": BPF object " + name + " is not loaded yet");
        }
    }

    void requireNotLoaded(String what) {
        requireOpen();
        if (loaded) {
            throw new IllegalStateException(what + ": BPF object " + name + " is already loaded");
        }
    }
}
