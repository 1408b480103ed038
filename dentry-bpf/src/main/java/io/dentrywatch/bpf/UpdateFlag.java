package io.dentrywatch.bpf;

/**
 * How {@link BpfMap#update} treats an existing entry: the {@code BPF_MAP_UPDATE_ELEM} flags of
 * {@code linux/bpf.h} that dentrywatch uses, with the kernel's numbers. The constant's name is the
 * uapi name without its {@code BPF_} prefix. ({@code BPF_F_LOCK}, for values with a spin lock, is not
 * used: no dentrywatch map has one.)
 */
public enum UpdateFlag {
    /** {@code BPF_ANY}: create the entry or replace it. */
    ANY(0),
    /** {@code BPF_NOEXIST}: create the entry only if it does not exist ({@code EEXIST} if it does). */
    NOEXIST(1),
    /** {@code BPF_EXIST}: replace the entry only if it exists ({@code ENOENT} if it does not). */
    EXIST(2);

    private final long number;

    UpdateFlag(long number) {
        this.number = number;
    }

    /** The kernel's number, as {@code bpf_map_update_elem} takes it in its {@code __u64 flags}. */
    public long number() {
        return number;
    }
}
