package io.dentrywatch.exporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The BPF programs and links a process holds (from its fdinfo), and whether the kernel still has them (bpftool). */
final class BpfObjects {

    /** Program and link ids. */
    record Ids(Set<Long> programs, Set<Long> links) {
        boolean isEmpty() {
            return programs.isEmpty() && links.isEmpty();
        }

        Ids minus(Ids other) {
            Set<Long> p = new TreeSet<>(programs);
            p.removeAll(other.programs);
            Set<Long> l = new TreeSet<>(links);
            l.removeAll(other.links);
            return new Ids(p, l);
        }
    }

    private BpfObjects() {
    }

    /** The ids of every program and link the process has a file descriptor of. */
    static Ids heldBy(long pid) throws IOException {
        Set<Long> programs = new TreeSet<>();
        Set<Long> links = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
            for (Path fd : fds.toList()) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(fd);
                } catch (NoSuchFileException e) {
                    continue; // closed meanwhile
                }
                for (String line : lines) {
                    if (line.startsWith("prog_id:")) {
                        programs.add(Long.parseLong(line.substring("prog_id:".length()).strip()));
                    } else if (line.startsWith("link_id:")) {
                        links.add(Long.parseLong(line.substring("link_id:".length()).strip()));
                    }
                }
            }
        }
        return new Ids(programs, links);
    }

    /** The ids of these that the kernel still has: {@code bpftool prog show id N}, {@code bpftool link show id N}. */
    static Ids stillLoaded(Ids ids) throws IOException, InterruptedException {
        Set<Long> programs = new TreeSet<>();
        Set<Long> links = new TreeSet<>();
        for (long id : ids.programs()) {
            if (bpftool("prog", id)) {
                programs.add(id);
            }
        }
        for (long id : ids.links()) {
            if (bpftool("link", id)) {
                links.add(id);
            }
        }
        return new Ids(programs, links);
    }

    /** Polls until none of these is loaded (link and program release run in a kernel work queue); what is left. */
    static Ids awaitUnloaded(Ids ids, java.time.Duration deadline) throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        Ids left = stillLoaded(ids);
        while (!left.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(100);
            left = stillLoaded(left);
        }
        return left;
    }

    private static boolean bpftool(String kind, long id) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Preconditions.tool("bpftool", "bpftool").toString(), kind, "show", "id",
                Long.toString(id)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("bpftool " + kind + " show id " + id + " hung");
        }
        return p.exitValue() == 0;
    }
}
