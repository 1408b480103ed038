package io.dentrywatch.bpf;

import io.dentrywatch.bpf.internal.LibbpfReader;

/** What {@link RingBuffer} and {@link PerfBuffer} share: polling, lost records and closing go to libbpf's reader. */
abstract sealed class LibbpfEventBuffer implements EventBuffer permits RingBuffer, PerfBuffer {

    private final LibbpfReader reader;

    LibbpfEventBuffer(LibbpfReader reader) {
        this.reader = reader;
    }

    @Override
    public int poll(int timeoutMillis) {
        return reader.poll(timeoutMillis);
    }

    @Override
    public long lostRecords() {
        return reader.lostRecords();
    }

    @Override
    public void close() {
        reader.close();
    }

    @Override
    public String toString() {
        return reader.toString();
    }
}
