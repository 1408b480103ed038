package io.dentrywatch.exporter;

import io.dentrywatch.core.AttachMode;
import io.dentrywatch.core.CgroupKey;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the {@link ExporterConfig} from the command line and the environment: an option wins over
 * its variable, an empty variable counts as unset, and every error names the setting as it was
 * given ({@code METRICS_PORT=abc} or {@code --metrics-port=abc}) and the values it takes.
 */
public final class ConfigLoader {

    /** The variable Kubernetes sets in every pod; its presence turns {@code auto} resolution on. */
    static final String IN_CLUSTER_VARIABLE = "KUBERNETES_SERVICE_HOST";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final int MAX_SERIES = 1_000_000;
    private static final int MAX_MAP_CAPACITY = 1 << 20;

    private final Map<String, String> environment;
    private final Supplier<String> hostName;

    /**
     * A loader over an environment.
     *
     * @param environment the process environment ({@code System.getenv()})
     * @param hostName    the default node name, asked only when {@code NODE_NAME} is not given
     */
    public ConfigLoader(Map<String, String> environment, Supplier<String> hostName) {
        this.environment = Map.copyOf(environment);
        this.hostName = Objects.requireNonNull(hostName, "hostName");
    }

    /**
     * Reads every setting.
     *
     * @param commandLine the parsed command line
     * @return the checked settings
     * @throws ConfigException naming the first setting whose value is not valid
     */
    public ExporterConfig load(CommandLine commandLine) throws ConfigException {
        Values v = new Values(commandLine);
        boolean kubernetes = kubernetes(v);
        Optional<URI> kubernetesApi = kubernetesApi(v.get(Setting.KUBERNETES_API));
        Optional<Given> node = v.given(Setting.NODE_NAME);
        if (kubernetes && node.isEmpty()) {
            throw new ConfigException("NODE_NAME is not set, and Kubernetes resolution is on ("
                    + v.given(Setting.KUBERNETES_RESOLUTION).or(() -> v.given(Setting.KUBERNETES_API)).map(Given::show)
                            .orElse("in a pod")
                    + "): set NODE_NAME from the downward API (valueFrom: fieldRef: fieldPath: spec.nodeName),"
                    + " or --kubernetes-resolution=off");
        }
        return new ExporterConfig(
                node.map(Given::value).orElseGet(hostName),
                v.given(Setting.METRICS_ADDRESS).isPresent() ? Optional.of(address(v.given(Setting.METRICS_ADDRESS).get()))
                        : Optional.empty(),
                integer(v.get(Setting.METRICS_PORT), 1, 65_535, "not a port number (1-65535)"),
                duration(v.get(Setting.SAMPLE_INTERVAL)),
                choice(v.get(Setting.ATTACH_MODE), AttachMode.class),
                choice(v.get(Setting.CGROUP_KEY), CgroupKey.class),
                integer(v.get(Setting.MAX_CONTAINER_SERIES), 0, MAX_SERIES, "not a whole number from 0 to " + MAX_SERIES),
                duration(v.get(Setting.GRACE_PERIOD)),
                integer(v.get(Setting.MAP_CAPACITY), 1, MAX_MAP_CAPACITY, "not a whole number from 1 to " + MAX_MAP_CAPACITY),
                kubernetes,
                kubernetesApi,
                onOff(v.get(Setting.OOM_WATCHER)),
                path(v.get(Setting.PROC_ROOT)),
                choice(v.get(Setting.LOG_LEVEL), LogLevel.class),
                integer(v.get(Setting.NEGATIVE_SOURCES), 0, 100, "not a whole number from 0 (off) to 100"),
                integer(v.get(Setting.NEGATIVE_SOURCES_NODE_CAP), 1, 100_000, "not a whole number from 1 to 100000"));
    }

    private boolean kubernetes(Values v) throws ConfigException {
        Given given = v.get(Setting.KUBERNETES_RESOLUTION);
        return switch (given.value().toLowerCase(Locale.ROOT)) {
            case "auto" -> !environment.getOrDefault(IN_CLUSTER_VARIABLE, "").isBlank() || v.given(Setting.KUBERNETES_API).isPresent();
            case "on" -> true;
            case "off" -> false;
            default -> throw new ConfigException(given.show() + ": not one of auto, on, off");
        };
    }

    private static Optional<URI> kubernetesApi(Given given) throws ConfigException {
        String value = given.value().strip();
        if (value.equalsIgnoreCase("in-cluster")) {
            return Optional.empty();
        }
        try {
            URI url = new URI(value);
            if (("http".equals(url.getScheme()) || "https".equals(url.getScheme())) && url.getHost() != null) {
                return Optional.of(url);
            }
        } catch (URISyntaxException e) {
            // reported below, with what is expected
        }
        throw new ConfigException(given.show() + ": not in-cluster or an http(s) URL of an API server"
                + " (for example https://10.96.0.1:443, or http://127.0.0.1:8001 from kubectl proxy)");
    }

    private static boolean onOff(Given given) throws ConfigException {
        return switch (given.value().strip().toLowerCase(Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new ConfigException(given.show() + ": not one of on, off");
        };
    }

    private static String address(Given given) throws ConfigException {
        try {
            return InetAddress.getByName(given.value()).getHostAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException(given.show()
                    + ": not an IP address or a host name this node resolves (for example 0.0.0.0, 127.0.0.1, ::)");
        }
    }

    private static int integer(Given given, int min, int max, String expected) throws ConfigException {
        try {
            int value = Integer.parseInt(given.value().strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with the valid range
        }
        throw new ConfigException(given.show() + ": " + expected);
    }

    private static Duration duration(Given given) throws ConfigException {
        Matcher m = DURATION.matcher(given.value().strip());
        if (!m.matches()) {
            throw new ConfigException(given.show() + ": not a duration (a whole number and a unit: 500ms, 10s, 5m, 1h)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static <E extends Enum<E>> E choice(Given given, Class<E> type) throws ConfigException {
        String wanted = given.value().strip().toUpperCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
        }
        throw new ConfigException(given.show() + ": not one of " + Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }

    private static Path path(Given given) throws ConfigException {
        try {
            Path path = Path.of(given.value());
            if (path.isAbsolute()) {
                return path;
            }
        } catch (InvalidPathException e) {
            // reported below
        }
        throw new ConfigException(given.show() + ": not an absolute path (for example /proc or /host/proc)");
    }

    /** A value and where it came from, to name it in an error. */
    private record Given(Setting setting, String value, boolean fromOption) {
        String show() {
            return (fromOption ? setting.option() : setting.variable()) + "=" + value;
        }
    }

    /** The command line's values over the environment's, over the defaults. */
    private final class Values {
        private final CommandLine commandLine;

        Values(CommandLine commandLine) {
            this.commandLine = commandLine;
        }

        /** The value given by option or variable, if any. */
        Optional<Given> given(Setting setting) {
            String option = commandLine.values().get(setting);
            if (option != null) {
                return Optional.of(new Given(setting, option, true));
            }
            String variable = environment.get(setting.variable());
            return variable == null || variable.isBlank() ? Optional.empty()
                    : Optional.of(new Given(setting, variable, false));
        }

        /** The value given, or the default of a setting whose default is a value. */
        Given get(Setting setting) {
            return given(setting).orElseGet(() -> new Given(setting, setting.defaultValue(), false));
        }
    }
}
