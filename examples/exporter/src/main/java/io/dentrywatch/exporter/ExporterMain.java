package io.dentrywatch.exporter;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The exporter's entry point: reads the settings, starts the {@link Exporter}, and closes it on
 * SIGTERM. {@code java -jar dentrywatch-exporter.jar --help} lists the settings.
 */
public final class ExporterMain {

    private final Map<String, String> environment;
    private final Properties systemProperties;
    private final PrintStream out;
    private final PrintStream err;

    ExporterMain(Map<String, String> environment, Properties systemProperties, PrintStream out, PrintStream err) {
        this.environment = environment;
        this.systemProperties = systemProperties;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the exporter until SIGTERM; exits with an {@link ExitCode} if it cannot start.
     *
     * @param args options, see {@code --help}
     * @throws InterruptedException if the main thread is interrupted while the exporter runs
     */
    public static void main(String[] args) throws InterruptedException {
        ExporterMain main = new ExporterMain(System.getenv(), System.getProperties(), System.out, System.err);
        Startup startup = main.start(args, Extensions.builtIn());
        switch (startup) {
            case Startup.Exit exit -> System.exit(exit.code().code());
            case Startup.Running running -> {
                Runtime.getRuntime().addShutdownHook(new Thread(running.exporter()::close, "dentrywatch-shutdown"));
                running.exporter().awaitClosed();
            }
        }
    }

    /** What {@link #start} led to. */
    sealed interface Startup {
        /** The exporter runs. */
        record Running(Exporter exporter) implements Startup {
        }

        /** The process is to exit with this code (help printed, or an error reported). */
        record Exit(ExitCode code) implements Startup {
        }
    }

    /**
     * Parses the settings, configures logging and starts the exporter; reports errors on standard error.
     *
     * @param args       the command line
     * @param extensions the extensions to open
     * @return the running exporter, or the exit code
     */
    Startup start(String[] args, List<ExtensionFactory> extensions) {
        ExporterConfig config;
        try {
            CommandLine commandLine = CommandLine.parse(args);
            if (commandLine.help()) {
                out.print(HelpText.render());
                return new Startup.Exit(ExitCode.OK);
            }
            config = new ConfigLoader(environment, () -> HostName.read(Path.of("/proc"))).load(commandLine);
        } catch (ConfigException e) {
            err.println("dentrywatch exporter: invalid setting: " + e.getMessage());
            return new Startup.Exit(ExitCode.INVALID_CONFIGURATION);
        }
        Logging.configure(config.logLevel(), systemProperties);
        try {
            return new Startup.Running(Exporter.start(config, extensions));
        } catch (StartupException e) {
            err.println("dentrywatch exporter: cannot start: " + e.getMessage());
            return new Startup.Exit(e.exitCode());
        } catch (RuntimeException e) {
            err.println("dentrywatch exporter: cannot start: " + e);
            e.printStackTrace(err);
            return new Startup.Exit(ExitCode.FAILURE);
        }
    }
}
