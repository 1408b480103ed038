package io.dentrywatch.exporter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged exporter jar run as a child process, as {@code java [flags] -jar dentrywatch-exporter.jar}. */
final class ExporterProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private ExporterProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** The jar Maven built ({@code dentrywatch.exporter.jar}, set by the failsafe configuration). */
    static Path jar() {
        Path jar = Path.of(System.getProperty("dentrywatch.exporter.jar", "target/dentrywatch-exporter.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: these tests run in Maven's verify phase, after package");
        }
        return jar;
    }

    /** Starts the jar with the JDK running the tests; standard output and error go to one temp file. */
    static ExporterProcess start(List<String> jvmFlags, Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmFlags);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile("dentrywatch-exporter-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(k -> Setting.ofOption("--" + k.toLowerCase(java.util.Locale.ROOT)
                .replace('_', '-')).isPresent() || k.equals(ConfigLoader.IN_CLUSTER_VARIABLE));
        builder.environment().putAll(environment);
        return new ExporterProcess(builder.start(), output);
    }

    /** A port nothing listens on now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code /healthz} until it answers 200; fails if the process ends or the deadline passes first. */
    void awaitHealthy(int port, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new AssertionError("the exporter exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<String> health = Http.get("http://127.0.0.1:" + port + "/healthz");
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the exporter was not healthy within " + deadline + ":\n" + output());
    }

    /** Waits for the process to end; the exit code, or -1 if it is still running at the deadline. */
    int awaitExit(Duration deadline) throws InterruptedException {
        return process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGTERM, as the kubelet sends it. */
    void terminate() {
        process.destroy();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(output);
    }
}
