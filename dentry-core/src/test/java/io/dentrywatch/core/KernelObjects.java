package io.dentrywatch.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the kernel says this process holds: BPF objects among its open file descriptors. */
final class KernelObjects {

    private KernelObjects() {
    }

    /** This process's BPF file descriptors ({@code anon_inode:bpf-prog}, {@code bpf-map}, {@code bpf_link}...). */
    static List<String> bpfFds() throws IOException {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("anon_inode:bpf")) {
                        found.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException e) {
                    // the directory stream's own fd is gone by the time it is read
                }
            }
        }
        return found;
    }
}
