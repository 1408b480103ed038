package io.dentrywatch.bpf.internal;

/**
 * A call through a downcall handle. {@code invokeExact} declares {@link Throwable}, though a downcall
 * only throws what its Java side throws; {@link #invoke} and {@link #rethrow} turn that into unchecked
 * exceptions without wrapping the runtime exceptions and errors that are the real outcomes.
 *
 * @param <T> what the call returns
 */
@FunctionalInterface
public interface NativeCall<T> {

    /** Makes the call. */
    T call() throws Throwable;

    /** Makes {@code call}, rethrowing what it throws as {@link #rethrow} does. */
    static <T> T invoke(NativeCall<T> call) {
        try {
            return call.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Throws {@code t} as it is if it is unchecked, wrapped in an {@link IllegalStateException} if not.
     * Declared to return the exception so callers can write {@code throw rethrow(t)}.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }
}
