package io.dentrywatch.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BpfExceptionTest {

    @ParameterizedTest
    @CsvSource({
        "1, PermissionDenied, EPERM",
        "-1, PermissionDenied, EPERM",
        "13, PermissionDenied, EACCES",
        "-2, NotFound, ENOENT",
        "3, NotFound, ESRCH",
        "-95, NotSupported, EOPNOTSUPP",
        "524, NotSupported, ENOTSUPP",
        "38, NotSupported, ENOSYS",
        "-22, Failure, EINVAL",
        "-7, Failure, E2BIG",
        "-12, Failure, ENOMEM",
        "1234, Failure, errno",
    })
    void errnoMapsToItsKind(int errno, String kind, String name) {
        BpfException e = BpfException.fromErrno(errno, "attach kprobe __d_alloc");
        assertEquals(kind, e.getClass().getSimpleName());
        assertEquals(Math.abs(errno), e.errno());
        assertTrue(e.getMessage().startsWith("attach kprobe __d_alloc failed: " + name + " (" + Math.abs(errno) + ")"),
                e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"1", "13"})
    void permissionErrorsNameTheCapabilities(int errno) {
        BpfException e = BpfException.fromErrno(errno, "load BPF object dentry");
        assertInstanceOf(BpfException.PermissionDenied.class, e);
        assertTrue(e.getMessage().contains("CAP_BPF") && e.getMessage().contains("CAP_PERFMON"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"2", "3"})
    void missingKernelSymbolsSaySo(int errno) {
        assertTrue(BpfException.fromErrno(errno, "attach kprobe nope").getMessage().contains("no such function"));
    }
}
