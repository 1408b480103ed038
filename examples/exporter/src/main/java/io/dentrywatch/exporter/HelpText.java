package io.dentrywatch.exporter;

/** The {@code --help} text, generated from {@link Setting} so that it lists every setting with its default. */
final class HelpText {

    private static final int WIDTH = 100;

    private HelpText() {
    }

    static String render() {
        StringBuilder out = new StringBuilder("""
                Usage: java -jar dentrywatch-exporter.jar [--option=VALUE ...]

                Serves this node's dentry-cache metrics and OOM kills on /metrics (Prometheus text, or OpenMetrics
                by the Accept header) and its health on /healthz. Each option can be set by its environment variable
                instead; the option wins. SIGTERM stops serving and detaches the probes.

                Options (environment variable, default):
                """);
        for (Setting s : Setting.values()) {
            out.append("  ").append(s.option()).append(", ").append(s.variable())
                    .append(" (default: ").append(s.defaultValue()).append(")\n");
            wrap(s.description(), "      ", out);
        }
        out.append("""
                  --help, -h
                      Print this text and exit.

                Exit codes: 0 normal end, 1 unexpected failure, 2 invalid setting, 3 the port cannot be listened
                on, 4 the forced attach mode cannot be used or the node's procfs cannot be read; 143 after SIGTERM.
                """);
        return out.toString();
    }

    private static void wrap(String text, String indent, StringBuilder out) {
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        out.append(line).append('\n');
    }
}
