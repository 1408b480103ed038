package io.dentrywatch.exporter;

import java.util.EnumMap;
import java.util.Map;

/**
 * The command line: {@code --help}, or settings as {@code --option=value} or {@code --option value}.
 *
 * @param help   whether {@code --help} (or {@code -h}) was given
 * @param values the settings given on the command line, by setting
 */
public record CommandLine(boolean help, Map<Setting, String> values) {

    /** Copies the values. */
    public CommandLine {
        values = Map.copyOf(values);
    }

    /**
     * Parses the arguments.
     *
     * @param args the arguments of {@code main}
     * @return the parsed command line
     * @throws ConfigException for an unknown option, an option without a value, or an option given twice
     */
    public static CommandLine parse(String... args) throws ConfigException {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            int equals = arg.indexOf('=');
            String option = equals < 0 ? arg : arg.substring(0, equals);
            Setting setting = Setting.ofOption(option).orElseThrow(() -> new ConfigException(
                    (arg.startsWith("-") ? option + ": unknown option" : arg + ": unexpected argument")
                            + "; --help lists the options"));
            String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new ConfigException(option + ": needs a value (" + option + "=VALUE); --help lists the values");
            }
            if (value.isBlank()) {
                throw new ConfigException(option + ": needs a value (" + option + "=VALUE); --help lists the values");
            }
            if (values.putIfAbsent(setting, value) != null) {
                throw new ConfigException(option + ": given twice; give it once");
            }
        }
        return new CommandLine(help, values);
    }
}
