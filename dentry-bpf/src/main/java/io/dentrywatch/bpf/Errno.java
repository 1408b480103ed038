package io.dentrywatch.bpf;

import java.util.Optional;

/**
 * The errno values libbpf and the bpf syscall return that dentrywatch tells apart or names in its
 * messages, with the kernel's numbers ({@code asm-generic/errno-base.h}, {@code asm-generic/errno.h})
 * and the kernel's one-line descriptions of them. {@link BpfException#errno()} is the raw number:
 * {@link #of(int)} names it when it is one of these.
 */
public enum Errno {
    /** Operation not permitted. */
    EPERM(1, "Operation not permitted"),
    /** No such file or directory. */
    ENOENT(2, "No such file or directory"),
    /** No such process. */
    ESRCH(3, "No such process"),
    /** Interrupted system call. */
    EINTR(4, "Interrupted system call"),
    /** Argument list too long; the bpf syscall's answer for a full map. */
    E2BIG(7, "Argument list too long"),
    /** Bad file number. */
    EBADF(9, "Bad file number"),
    /** Try again. */
    EAGAIN(11, "Try again"),
    /** Out of memory. */
    ENOMEM(12, "Out of memory"),
    /** Permission denied. */
    EACCES(13, "Permission denied"),
    /** Bad address. */
    EFAULT(14, "Bad address"),
    /** Device or resource busy. */
    EBUSY(16, "Device or resource busy"),
    /** File exists. */
    EEXIST(17, "File exists"),
    /** Invalid argument. */
    EINVAL(22, "Invalid argument"),
    /** No space left on device. */
    ENOSPC(28, "No space left on device"),
    /** Invalid system call number. */
    ENOSYS(38, "Invalid system call number"),
    /** Operation not supported on transport endpoint. */
    EOPNOTSUPP(95, "Operation not supported on transport endpoint"),
    /**
     * Operation is not supported: the kernel-internal errno ({@code include/linux/errno.h}, in no uapi
     * header) that BPF syscalls leak to user space.
     */
    ENOTSUPP(524, "Operation is not supported");

    private final int number;
    private final String message;

    Errno(int number, String message) {
        this.number = number;
        this.message = message;
    }

    /** The positive errno number. */
    public int number() {
        return number;
    }

    /** The kernel's description, for example {@code No such file or directory}. */
    public String message() {
        return message;
    }

    /**
     * The errno of that number, positive or negative (libbpf returns {@code -errno}).
     *
     * @return empty if the number is none of these
     */
    public static Optional<Errno> of(int number) {
        int e = Math.abs(number);
        for (Errno errno : values()) {
            if (errno.number == e) {
                return Optional.of(errno);
            }
        }
        return Optional.empty();
    }

    /**
     * How messages name an errno number: {@code ENOENT (2)}, or {@code errno (1234)} for a number that
     * is none of these.
     *
     * @param number positive or negative
     */
    public static String describe(int number) {
        int e = Math.abs(number);
        return of(e).map(Errno::name).orElse("errno") + " (" + e + ")";
    }
}
