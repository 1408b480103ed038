/**
 * The libbpf binding through FFM: BPF objects opened from this module's resources, their programs,
 * links and maps as {@link java.lang.AutoCloseable} handles, per-CPU map readers and the
 * {@link io.dentrywatch.bpf.BpfException} hierarchy. The only dentrywatch module that calls restricted
 * FFM methods: grant it {@code --enable-native-access=io.dentrywatch.bpf}.
 *
 * <p>Only {@code io.dentrywatch.bpf} is exported. The downcall handles, the libbpf lookup, the event
 * readers' upcalls and the tracefs check are plumbing in {@code io.dentrywatch.bpf.internal}, which
 * is not exported.
 */
module io.dentrywatch.bpf {
    requires org.slf4j;

    exports io.dentrywatch.bpf;
}
