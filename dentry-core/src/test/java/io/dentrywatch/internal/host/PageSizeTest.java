package io.dentrywatch.internal.host;

import io.dentrywatch.core.MalformedProcFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PageSizeTest {

    private static final Path AUXV = Path.of("/proc/self/auxv");

    private static byte[] auxv(long... pairs) {
        ByteBuffer b = ByteBuffer.allocate(pairs.length * 8).order(ByteOrder.nativeOrder());
        for (long v : pairs) {
            b.putLong(v);
        }
        return b.array();
    }

    @Test
    void findsAtPageszAmongTheOtherEntries() {
        // AT_HWCAP=16, AT_PAGESZ=6, AT_CLKTCK=17, AT_NULL=0
        assertEquals(16384, PageSize.parse(auxv(16, 0x178bfbff, 6, 16384, 17, 100, 0, 0), AUXV));
    }

    @Test
    void aVectorWithoutItOrWithNonsenseIsAnError() {
        MalformedProcFileException missing = assertThrows(MalformedProcFileException.class,
                () -> PageSize.parse(auxv(16, 1, 0, 0, 6, 4096), AUXV));
        assertTrue(missing.getMessage().contains("no AT_PAGESZ"), missing.getMessage());
        assertThrows(MalformedProcFileException.class, () -> PageSize.parse(auxv(6, 1000, 0, 0), AUXV));
        assertThrows(MalformedProcFileException.class, () -> PageSize.parse(new byte[7], AUXV));
    }

    @Test
    void thisProcessHasOne() {
        long size = PageSize.read(AUXV);
        assertTrue(size >= 4096 && Long.bitCount(size) == 1, "page size " + size);
        if (System.getProperty("os.arch").equals("amd64")) {
            assertEquals(4096, size);
        }
    }
}
