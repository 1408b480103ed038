package io.dentrywatch.oom;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's own report of an OOM kill, from {@code dmesg}: the oracle the watcher's events are
 * compared with. The line is {@code <message>: Killed process <tid> (<comm>) total-vm:<n>kB,
 * anon-rss:<n>kB, file-rss:<n>kB, shmem-rss:<n>kB, ...}; message is {@code Memory cgroup out of
 * memory} for a memory cgroup's OOM and {@code Out of memory} for the machine's.
 */
final class KernelLog {

    record Kill(boolean memoryCgroup, int tid, String comm, long totalVmKb, long anonRssKb, long fileRssKb, long shmemRssKb) {
    }

    private static final Pattern KILLED = Pattern.compile(
            "(Memory cgroup out of memory|Out of memory[^:]*): Killed process (\\d+) \\((.*?)\\) total-vm:(\\d+)kB,"
                    + " anon-rss:(\\d+)kB, file-rss:(\\d+)kB, shmem-rss:(\\d+)kB");

    private KernelLog() {
    }

    /** The last reported kill of thread {@code tid}, if the log still has it. */
    static Optional<Kill> lastKill(int tid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("dmesg failed: " + text);
        }
        Kill last = null;
        Matcher m = KILLED.matcher(text);
        while (m.find()) {
            if (Integer.parseInt(m.group(2)) == tid) {
                last = new Kill(m.group(1).startsWith("Memory cgroup"), tid, m.group(3), Long.parseLong(m.group(4)),
                        Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), Long.parseLong(m.group(7)));
            }
        }
        return Optional.ofNullable(last);
    }
}
