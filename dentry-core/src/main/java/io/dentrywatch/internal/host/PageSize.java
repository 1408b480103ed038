package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's page size, from the {@code AT_PAGESZ} entry of this process's auxiliary vector
 * ({@code /proc/self/auxv}: pairs of native-endian {@code unsigned long}s). 4 KiB on x86_64; 4, 16
 * or 64 KiB on arm64 depending on the kernel build.
 */
public final class PageSize {

    private static final long AT_NULL = 0;
    private static final long AT_PAGESZ = 6;

    private PageSize() {
    }

    public static long read(Path auxv) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(auxv)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + auxv, e);
        }
        return parse(bytes, auxv);
    }

    /** Parses a 64-bit auxiliary vector. */
    public static long parse(byte[] auxv, Path file) {
        ByteBuffer buffer = ByteBuffer.wrap(auxv).order(ByteOrder.nativeOrder());
        while (buffer.remaining() >= 16) {
            long type = buffer.getLong();
            long value = buffer.getLong();
            if (type == AT_PAGESZ) {
                if (value < 4096 || Long.bitCount(value) != 1) {
                    throw new MalformedProcFileException(file, "AT_PAGESZ is not a page size: " + value, auxv.length + " binary bytes");
                }
                return value;
            }
            if (type == AT_NULL) {
                break;
            }
        }
        throw new MalformedProcFileException(file, "no AT_PAGESZ entry", auxv.length + " binary bytes");
    }
}
