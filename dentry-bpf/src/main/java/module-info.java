/**
 * The libbpf binding through FFM: BPF objects opened from this module's resources, their programs,
 * links and maps as {@link java.lang.AutoCloseable} handles, per-CPU map readers and the
 * {@link io.dentrywatch.bpf.BpfException} hierarchy. The only dentrywatch module that calls restricted
 * FFM methods: grant it {@code --enable-native-access=io.dentrywatch.bpf}.
 */
module io.dentrywatch.bpf {
    requires org.slf4j;

    exports io.dentrywatch.bpf;
}
