package io.dentrywatch.benchmarks;

import io.dentrywatch.bpf.CounterTable;
import io.dentrywatch.bpf.PerCpuMapReader;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dentry-bpf's {@link PerCpuMapReader} against a plain C libbpf reader ({@code src/main/c/poll.c}),
 * side by side: both read the same map (pinned in bpffs), with the same entries, chunk size (1,024)
 * and summing over CPUs, in rounds that alternate which goes first. Each round times the same number
 * of polls in each (sized to about 0.4 s) after a warm-up; the Java side also counts the bytes its
 * thread allocated over the timed polls.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     io.dentrywatch.benchmarks.PollComparison [--entries 100,1000,10000,100000] [--rounds 7] [--csv FILE]
 * </pre>
 *
 * Prints a line per round and per configuration a summary: median ns per poll of each, the median of
 * the per-round ratios Java / C, and their range. Needs root (BPF) and bpffs at /sys/fs/bpf.
 */
public final class PollComparison {

    private static final Pattern C_RESULT = Pattern.compile("ns_per_poll=([0-9.]+) entries=([0-9]+)");
    private static final long ROUND_NANOS = 400_000_000L;
    private static final int CHUNK = 1024; // PerCpuMapReader's

    private PollComparison() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = List.of(100, 1_000, 10_000, 100_000);
        int rounds = 7;
        Path csv = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--entries" -> sizes = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--csv" -> csv = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path poll = Natives.binary("poll");
        List<String> rows = new ArrayList<>();
        rows.add("entries,strategy,round,java_ns_per_poll,c_ns_per_poll,java_over_c,java_bytes_per_poll");
        List<String> summary = new ArrayList<>();
        summary.add(String.format(Locale.ROOT, "%8s %8s %14s %14s %12s %12s %20s %12s",
                "entries", "walk", "java ns/poll", "c ns/poll", "java ns/ent", "c ns/ent", "java/c median [range]", "java B/poll"));
        for (int entries : sizes) {
            Path pinPath = Path.of("/sys/fs/bpf/dentrywatch-bench-" + ProcessHandle.current().pid() + "-" + entries);
            try (CountsMap map = CountsMap.create(entries); BpfPin pin = BpfPin.pin(map.map().fd(), pinPath)) {
                for (PerCpuMapReader.Strategy strategy : PerCpuMapReader.Strategy.values()) {
                    try (PerCpuMapReader reader = new PerCpuMapReader(map.map(), strategy)) {
                        CounterTable table = new CounterTable(reader.fields(), entries);
                        // warm-up: JIT the read path, and size the rounds
                        long polls = warmUp(reader, table, entries);
                        double[] java = new double[rounds];
                        double[] c = new double[rounds];
                        double[] ratio = new double[rounds];
                        long[] bytes = new long[rounds];
                        for (int r = 0; r < rounds; r++) {
                            if (r % 2 == 0) {
                                java[r] = timeJava(reader, table, polls, bytes, r, entries);
                                c[r] = timeC(poll, pin.path(), strategy, polls, entries);
                            } else {
                                c[r] = timeC(poll, pin.path(), strategy, polls, entries);
                                java[r] = timeJava(reader, table, polls, bytes, r, entries);
                            }
                            ratio[r] = java[r] / c[r];
                            String row = String.format(Locale.ROOT, "%d,%s,%d,%.1f,%.1f,%.3f,%.1f",
                                    entries, strategy, r + 1, java[r], c[r], ratio[r], (double) bytes[r] / polls);
                            rows.add(row);
                            System.out.println(row);
                        }
                        double[] sortedRatio = ratio.clone();
                        Arrays.sort(sortedRatio);
                        summary.add(String.format(Locale.ROOT, "%8d %8s %14.0f %14.0f %12.2f %12.2f %8.2f [%.2f-%.2f] %12.1f",
                                entries, strategy.name().toLowerCase(Locale.ROOT), median(java), median(c),
                                median(java) / entries, median(c) / entries, median(ratio),
                                sortedRatio[0], sortedRatio[rounds - 1], (double) Arrays.stream(bytes).max().orElse(0) / polls));
                    }
                }
            }
        }
        PrintStream out = System.out;
        out.println();
        out.println("polls per round sized to ~" + ROUND_NANOS / 1_000_000 + " ms; " + rounds
                + " rounds, alternating which reader goes first; chunk " + CHUNK + "; "
                + PerCpuMapReader.possibleCpus() + " possible CPUs; capacity max(16384, entries)");
        summary.forEach(out::println);
        if (csv != null) {
            Files.write(csv, rows, StandardCharsets.UTF_8);
        }
    }

    private static long warmUp(PerCpuMapReader reader, CounterTable table, int entries) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        long n = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < deadline || n < 20) {
            check(reader.read(table), entries);
            n++;
        }
        double perPoll = (double) (System.nanoTime() - start) / n;
        return Math.max(5, Math.min(1_000_000, (long) (ROUND_NANOS / perPoll)));
    }

    private static double timeJava(PerCpuMapReader reader, CounterTable table, long polls, long[] bytes, int round, int entries) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        int read = 0;
        long start = System.nanoTime();
        for (long i = 0; i < polls; i++) {
            read = reader.read(table);
        }
        long elapsed = System.nanoTime() - start;
        bytes[round] = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        check(read, entries);
        return (double) elapsed / polls;
    }

    private static double timeC(Path poll, Path pin, PerCpuMapReader.Strategy strategy, long polls, int entries)
            throws IOException, InterruptedException {
        long warmup = Math.max(3, polls / 10);
        Process p = new ProcessBuilder(poll.toString(), pin.toString(), strategy.name().toLowerCase(Locale.ROOT),
                Integer.toString(CHUNK), Long.toString(warmup), Long.toString(polls))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("poll failed: " + output);
        }
        Matcher m = C_RESULT.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("poll printed " + output);
        }
        check(Integer.parseInt(m.group(2)), entries);
        return Double.parseDouble(m.group(1));
    }

    private static void check(int read, int entries) {
        if (read != entries) {
            throw new IllegalStateException("read " + read + " entries, the map holds " + entries);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
