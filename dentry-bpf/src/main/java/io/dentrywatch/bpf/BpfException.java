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

    BpfException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The positive errno the kernel or libbpf returned, or 0 where the failure is not an errno. */
    public int errno() {
        return errno;
    }

    /** The running kernel lacks a feature; the message names it and the kernel or config that has it. */
    public static final class NotSupported extends BpfException {
        private static final long serialVersionUID = 1L;

        public NotSupported(String message, int errno) {
            super(message, errno);
        }
    }

    /** The process lacks a privilege; the message names the capabilities needed. */
    public static final class PermissionDenied extends BpfException {
        private static final long serialVersionUID = 1L;

        public PermissionDenied(String message, int errno) {
            super(message, errno);
        }
    }

    /** A kernel function, tracepoint, program or map of that name does not exist. */
    public static final class NotFound extends BpfException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message, int errno) {
            super(message, errno);
        }
    }

    /** {@code libbpf.so.1} (1.1 or newer) could not be loaded; the message names the package to install. */
    public static final class LibraryMissing extends BpfException {
        private static final long serialVersionUID = 1L;

        public LibraryMissing(String message) {
            super(message, 0);
        }
    }

    /** Any other failure, with the errno and the operation that failed. */
    public static final class Failure extends BpfException {
        private static final long serialVersionUID = 1L;

        public Failure(String message, int errno) {
            super(message, errno);
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
        String what = operation + " failed: " + Errno.name(e);
        return switch (e) {
            case Errno.EPERM, Errno.EACCES -> new PermissionDenied(what
                    + ": run as root or grant CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN before kernel 5.8)", e);
            case Errno.ENOENT, Errno.ESRCH -> new NotFound(what
                    + ": the kernel has no such function, tracepoint or BTF type (inlined, renamed or compiled out)", e);
            case Errno.EOPNOTSUPP, Errno.ENOTSUPP, Errno.ENOSYS -> new NotSupported(what
                    + ": this kernel does not support it", e);
            default -> new Failure(what, e);
        };
    }
}
