package io.dentrywatch.oom;

/**
 * A kind of memory an OOM victim held when it was killed, as the kernel's OOM report lists it. All
 * values are bytes.
 */
public enum MemoryType {
    /** The size of the address space (virtual, not resident). */
    TOTAL_VM("total_vm"),
    /** Resident anonymous memory: heap, stacks, private mappings. */
    ANON_RSS("anon_rss"),
    /** Resident file-backed memory. */
    FILE_RSS("file_rss"),
    /** Resident shared memory (tmpfs, shared anonymous mappings, SysV shm). */
    SHMEM_RSS("shmem_rss"),
    /** Page tables. */
    PGTABLES("pgtables");

    private final String label;

    MemoryType(String label) {
        this.label = label;
    }

    /** The name the kernel's report and the {@code memory_type} metric label use, for example {@code anon_rss}. */
    public String label() {
        return label;
    }
}
