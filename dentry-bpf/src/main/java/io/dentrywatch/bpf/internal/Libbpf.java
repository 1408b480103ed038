package io.dentrywatch.bpf.internal;

import static io.dentrywatch.bpf.internal.LibbpfLibrary.plain;
import static io.dentrywatch.bpf.internal.LibbpfLibrary.withErrno;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dentrywatch.bpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libbpf functions dentrywatch calls, as downcall handles bound once. Functions that return a
 * pointer report failure as {@code NULL} plus {@code errno} (captured through the call state);
 * functions that return {@code int} return {@code -errno} (libbpf 1.x semantics). Loading this class
 * checks libbpf's version and routes libbpf's messages to SLF4J; call {@link LibbpfLibrary#require()}
 * first so a missing library is a {@link BpfException.LibraryMissing}, not an initialisation error.
 */
public final class Libbpf {

    private static final Logger LIBBPF_LOG = LoggerFactory.getLogger("io.dentrywatch.bpf.libbpf");
    private static final Linker LINKER = Linker.nativeLinker();

    /** The call state that a handle which reports failure through {@code errno} takes first; {@link #errno} reads it. */
    public static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // struct bpf_object *bpf_object__open_mem(const void *buf, size_t sz, const struct bpf_object_open_opts *opts)
    public static final MethodHandle OBJECT_OPEN_MEM = withErrno("bpf_object__open_mem",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    public static final MethodHandle OBJECT_LOAD = plain("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle OBJECT_CLOSE = plain("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    public static final MethodHandle OBJECT_FIND_PROGRAM = plain("bpf_object__find_program_by_name",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle OBJECT_FIND_MAP = plain("bpf_object__find_map_by_name",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    // struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog)
    public static final MethodHandle OBJECT_NEXT_PROGRAM = plain("bpf_object__next_program",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle PROGRAM_NAME = plain("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));

    public static final MethodHandle PROGRAM_SET_AUTOLOAD = plain("bpf_program__set_autoload",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));
    public static final MethodHandle PROGRAM_SET_ATTACH_TARGET = plain("bpf_program__set_attach_target",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    public static final MethodHandle PROGRAM_ATTACH = withErrno("bpf_program__attach",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    public static final MethodHandle PROGRAM_ATTACH_KPROBE = withErrno("bpf_program__attach_kprobe",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_BOOLEAN, ADDRESS));
    public static final MethodHandle PROGRAM_ATTACH_TRACEPOINT = withErrno("bpf_program__attach_tracepoint",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle PROGRAM_ATTACH_RAW_TRACEPOINT = withErrno("bpf_program__attach_raw_tracepoint",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle LINK_DESTROY = plain("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    public static final MethodHandle MAP_FD = plain("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle MAP_KEY_SIZE = plain("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle MAP_VALUE_SIZE = plain("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle MAP_MAX_ENTRIES = plain("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle MAP_SET_MAX_ENTRIES = plain("bpf_map__set_max_entries",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    public static final MethodHandle MAP_SET_INITIAL_VALUE = plain("bpf_map__set_initial_value",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    public static final MethodHandle MAP_TYPE = plain("bpf_map__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    // int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, __u32 *count, const struct bpf_map_batch_opts *opts)
    public static final MethodHandle MAP_LOOKUP_BATCH = plain("bpf_map_lookup_batch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle MAP_GET_NEXT_KEY = plain("bpf_map_get_next_key",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    public static final MethodHandle MAP_LOOKUP_ELEM = plain("bpf_map_lookup_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    public static final MethodHandle MAP_DELETE_ELEM = plain("bpf_map_delete_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    // int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count, const struct bpf_map_batch_opts *opts)
    public static final MethodHandle MAP_UPDATE_BATCH = plain("bpf_map_update_batch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    // int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
    public static final MethodHandle MAP_UPDATE_ELEM = plain("bpf_map_update_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));

    public static final MethodHandle BTF_LOAD_VMLINUX = withErrno("btf__load_vmlinux_btf", FunctionDescriptor.of(ADDRESS));
    public static final MethodHandle BTF_FIND_BY_NAME_KIND = plain("btf__find_by_name_kind",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    public static final MethodHandle BTF_FREE = plain("btf__free", FunctionDescriptor.ofVoid(ADDRESS));

    public static final MethodHandle NUM_POSSIBLE_CPUS = plain("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle MAJOR_VERSION = plain("libbpf_major_version", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle MINOR_VERSION = plain("libbpf_minor_version", FunctionDescriptor.of(JAVA_INT));

    // int vsnprintf(char *str, size_t size, const char *format, va_list ap); va_list is passed as a pointer on x86_64 and aarch64
    private static final MethodHandle VSNPRINTF = LINKER.downcallHandle(
            LINKER.defaultLookup().find("vsnprintf").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle SET_PRINT = plain("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));

    /** Verifier logs arrive as one message; longer ones are cut here. */
    private static final int PRINT_BUFFER = 256 * 1024;

    static {
        checkVersion();
        installPrint();
    }

    private Libbpf() {
    }

    /** The errno a {@link LibbpfLibrary#withErrno} call left in {@code state}. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static void checkVersion() {
        try {
            int major = (int) MAJOR_VERSION.invokeExact();
            int minor = (int) MINOR_VERSION.invokeExact();
            if (major < 1 || (major == 1 && minor < 1)) {
                throw new BpfException.LibraryMissing("libbpf " + major + "." + minor
                        + " is too old: 1.1 or newer is needed (Debian 12+: apt-get install libbpf1)");
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Routes libbpf's messages (verifier logs included) to SLF4J; libbpf's printer is process-wide. */
    private static void installPrint() {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(Libbpf.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = LINKER.upcallStub(target,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            MemorySegment previous = (MemorySegment) SET_PRINT.invokeExact(stub);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // enum libbpf_print_level { LIBBPF_WARN, LIBBPF_INFO, LIBBPF_DEBUG }
    private static int print(int level, MemorySegment format, MemorySegment args) {
        try {
            if (level == 2 && !LIBBPF_LOG.isDebugEnabled() || level == 1 && !LIBBPF_LOG.isInfoEnabled()) {
                return 0;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(PRINT_BUFFER);
                int n = (int) VSNPRINTF.invokeExact(buffer, (long) PRINT_BUFFER, format, args);
                String text = buffer.getString(0).stripTrailing();
                if (n >= PRINT_BUFFER) {
                    text += " [... cut at " + PRINT_BUFFER + " bytes]";
                }
                switch (level) {
                    case 0 -> LIBBPF_LOG.warn("{}", text);
                    case 1 -> LIBBPF_LOG.info("{}", text);
                    default -> LIBBPF_LOG.debug("{}", text);
                }
                return n;
            }
        } catch (Throwable t) {
            return 0; // an upcall must not throw into native code
        }
    }
}
