package io.dentrywatch.core;

/**
 * How the sampler's probes reach the kernel. {@link #AUTO} picks the best the running kernel
 * allows, in the order {@link #FENTRY}, {@link #KPROBE}, {@link #TRACEPOINT}; the sampler's
 * {@link DentrySampler#mode()} then reports the one that is live.
 */
public enum AttachMode {
    /** Try {@link #FENTRY}, then {@link #KPROBE}, then {@link #TRACEPOINT}; never reported as live. */
    AUTO,
    /** BTF trampolines (fentry/fexit) on the dcache functions: the cheapest, needs BTF and trampoline support. */
    FENTRY,
    /** kprobes/kretprobes on the dcache functions: needs {@code CONFIG_KPROBES}. */
    KPROBE,
    /**
     * The {@code kmem:kmem_cache_alloc} raw tracepoint filtered to the dentry cache (kernel 6.1+):
     * allocations only; positive and negative counts are unavailable.
     */
    TRACEPOINT,
    /** No probes: node-wide numbers from {@code /proc} only (chosen, or forced by missing privileges). */
    NONE
}
