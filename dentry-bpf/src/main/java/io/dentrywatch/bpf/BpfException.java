package io.dentrywatch.bpf;

/**
 * Why a BPF operation failed, as one of a closed set of kinds so callers can react to each: degrade
 * on {@link NotSupported} or {@link NotFound}, tell the operator about {@link PermissionDenied} or
 * {@link LibraryMissing}. Every message says what is wrong and what to do.
 */
public abstract sealed class BpfException extends RuntimeException
        permits BpfException.NotSupported, BpfException.PermissionDenied, BpfException.NotFound,
                BpfException.LibraryMissing, BpfException.Failure {

    private static final long serialVersionUID = 1L;

    private final int errno;

    private BpfException(String message, int errno, BpfException cause) {
        super(message, cause);
        this.errno = errno;
    }

    /**
     * The positive errno the kernel or libbpf returned, or 0 where the failure is not an errno;
     * {@link Errno#of(int)} names it.
     */
    public int errno() {
        return errno;
    }

    /** The running kernel lacks a feature; the message names it and the kernel or config that has it. */
    public static final class NotSupported extends BpfException {
        private static final long serialVersionUID = 1L;

        /** A failure that is not an errno ({@link #errno()} is 0). */
        public NotSupported(String message) {
            super(message, 0, null);
        }

        /** A failure the kernel or libbpf answered with {@code errno}. */
        public NotSupported(String message, Errno errno) {
            super(message, errno.number(), null);
        }

        /** {@code cause} restated with what the caller knows: its errno, and it as the cause. */
        public NotSupported(String message, BpfException cause) {
            super(message, cause.errno(), cause);
        }

        /** A raw errno that {@link Errno} may not name: from the binding only. */
        NotSupported(String message, int errno) {
            super(message, errno, null);
        }
    }

    /** The process lacks a privilege; the message names the capabilities needed. */
    public static final class PermissionDenied extends BpfException {
        private static final long serialVersionUID = 1L;

        /** A failure that is not an errno ({@link #errno()} is 0). */
        public PermissionDenied(String message) {
            super(message, 0, null);
        }

        /** A failure the kernel or libbpf answered with {@code errno}. */
        public PermissionDenied(String message, Errno errno) {
            super(message, errno.number(), null);
        }

        /** {@code cause} restated with what the caller knows: its errno, and it as the cause. */
        public PermissionDenied(String message, BpfException cause) {
            super(message, cause.errno(), cause);
        }

        /** A raw errno that {@link Errno} may not name: from the binding only. */
        PermissionDenied(String message, int errno) {
            super(message, errno, null);
        }
    }

    /** A kernel function, tracepoint, program or map of that name does not exist. */
    public static final class NotFound extends BpfException {
        private static final long serialVersionUID = 1L;

        /** A failure that is not an errno ({@link #errno()} is 0). */
        public NotFound(String message) {
            super(message, 0, null);
        }

        /** A failure the kernel or libbpf answered with {@code errno}. */
        public NotFound(String message, Errno errno) {
            super(message, errno.number(), null);
        }

        /** {@code cause} restated with what the caller knows: its errno, and it as the cause. */
        public NotFound(String message, BpfException cause) {
            super(message, cause.errno(), cause);
        }

        /** A raw errno that {@link Errno} may not name: from the binding only. */
        NotFound(String message, int errno) {
            super(message, errno, null);
        }
    }

    /** {@code libbpf.so.1} (1.1 or newer) could not be loaded; the message names the package to install. */
    public static final class LibraryMissing extends BpfException {
        private static final long serialVersionUID = 1L;

        /** A missing or too old libbpf; {@link #errno()} is 0. */
        public LibraryMissing(String message) {
            super(message, 0, null);
        }
    }

    /** Any other failure, with the errno and the operation that failed. */
    public static final class Failure extends BpfException {
        private static final long serialVersionUID = 1L;

        /** A failure that is not an errno ({@link #errno()} is 0). */
        public Failure(String message) {
            super(message, 0, null);
        }

        /** A failure the kernel or libbpf answered with {@code errno}. */
        public Failure(String message, Errno errno) {
            super(message, errno.number(), null);
        }

        /** {@code cause} restated with what the caller knows: its errno, and it as the cause. */
        public Failure(String message, BpfException cause) {
            super(message, cause.errno(), cause);
        }

        /** A raw errno that {@link Errno} may not name: from the binding only. */
        Failure(String message, int errno) {
            super(message, errno, null);
        }
    }

    /**
     * Maps a libbpf or kernel errno to the exception kind that fits it.
     *
     * @param errno     the errno, positive or negative (libbpf returns {@code -errno})
     * @param operation what was attempted, for example {@code "attach kprobe __d_alloc"}
     * @return the exception to throw; never {@code null}
     */
    public static BpfException fromErrno(int errno, String operation) {
        int e = Math.abs(errno);
        String what = operation + " failed: " + Errno.describe(e);
        return switch (Errno.of(e).orElse(null)) {
            case EPERM, EACCES -> new PermissionDenied(what
                    + ": run as root or grant CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN before kernel 5.8)", e);
            case ENOENT, ESRCH -> new NotFound(what
                    + ": the kernel has no such function, tracepoint or BTF type (inlined, renamed or compiled out)", e);
            case EOPNOTSUPP, ENOTSUPP, ENOSYS -> new NotSupported(what
                    + ": this kernel does not support it", e);
            case null, default -> new Failure(what, e);
        };
    }
}
