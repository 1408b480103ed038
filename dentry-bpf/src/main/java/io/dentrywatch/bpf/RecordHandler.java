package io.dentrywatch.bpf;

import java.lang.foreign.MemorySegment;

/**
 * Receives the records a BPF program sends through an {@link EventBuffer}, one call per record, on
 * the thread that polls the buffer.
 */
@FunctionalInterface
public interface RecordHandler {

    /**
     * Handles one record. The segment is the record's bytes inside the kernel-shared buffer, valid
     * only during this call: read what is needed out of it and keep no reference. Keep the work
     * small; a handler that throws has its record counted in {@link EventBuffer#lostRecords()}.
     *
     * @param record the record, exactly as large as the program sent it
     */
    void onRecord(MemorySegment record);
}
