package io.dentrywatch.core;

import io.dentrywatch.internal.host.ProcFiles;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** What the kernel says this process holds: BPF objects among its open file descriptors, and which programs are loaded. */
public final class KernelObjects {

    private KernelObjects() {
    }

    /** This process's BPF file descriptors ({@code anon_inode:bpf-prog}, {@code bpf-map}, {@code bpf_link}...). */
    public static List<String> bpfFds() throws IOException {
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

    /** The ids of the BPF programs this process's descriptors (programs and links) refer to, from /proc/self/fdinfo. */
    public static Set<Integer> programIdsHeldByThisProcess() throws IOException {
        return fdinfoOfBpfFds("prog_id:");
    }

    /** The types ({@code enum bpf_map_type}) of the BPF maps this process holds, from /proc/self/fdinfo. */
    public static Set<Integer> mapTypesHeldByThisProcess() throws IOException {
        return fdinfoOfBpfFds("map_type:");
    }

    /**
     * How many entries the kernel holds in the map of this name that this process has open (exactly
     * one), as {@code bpftool map dump} lists them: each element's raw key is an array of bytes.
     */
    public static int mapEntries(String name) throws IOException, InterruptedException {
        List<Integer> named = new ArrayList<>();
        for (int id : fdinfoOfBpfFds("map_id:")) {
            if (bpftool("map", "show", "id", Integer.toString(id)).contains(" name " + name + " ")) {
                named.add(id);
            }
        }
        assertTrue(named.size() == 1, "one map named " + name + " held by this process, ids " + named);
        String dump = bpftool("-j", "map", "dump", "id", Integer.toString(named.getFirst()));
        assertTrue(dump.strip().startsWith("["), "a JSON array of elements: " + dump);
        return (int) java.util.regex.Pattern.compile("\\{\"key\":\\[").matcher(dump).results().count();
    }

    /** The numbers after {@code field} in the fdinfo of this process's BPF descriptors. */
    private static Set<Integer> fdinfoOfBpfFds(String field) throws IOException {
        Set<Integer> values = new TreeSet<>();
        for (String fd : bpfFds()) {
            try {
                String number = fd.substring(0, fd.indexOf(' '));
                for (String line : ProcFiles.read(Path.of("/proc/self/fdinfo", number)).split("\n")) {
                    if (line.startsWith(field)) {
                        values.add(Integer.parseInt(line.substring(field.length()).strip()));
                    }
                }
            } catch (UncheckedIOException closedMeanwhile) {
                // the fd went away between the listing and the read
            }
        }
        return values;
    }

    private static String bpftool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bpftool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + text);
        return text;
    }

    /** Every loaded program's id, as bpftool lists them (every process's). */
    public static Set<Integer> loadedProgramIds() throws IOException, InterruptedException {
        String text = bpftool("prog", "show");
        Set<Integer> ids = new TreeSet<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).chars().allMatch(Character::isDigit)) {
                ids.add(Integer.parseInt(line.substring(0, colon)));
            }
        }
        return ids;
    }
}
