package io.dentrywatch.exporter;

import com.sun.net.httpserver.HttpExchange;
import io.dentrywatch.cgroup.ContainerIdentity;
import io.dentrywatch.cgroup.ContainerResolver;
import io.dentrywatch.core.CgroupNegativeSources;
import io.dentrywatch.core.DentrySample;
import io.dentrywatch.core.DirectorySource;
import io.dentrywatch.core.NegativeSources;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /sources}: where the node's negative dentries come from now, for an operator on the node
 * ({@code scripts/dentrywatch-top.sh} shows it like {@code top}): every container's top directories
 * ({@link NegativeSources}), ranked by negative dentries per second over the last {@link #WINDOW}, then by
 * total. A plain-text table by default; JSON with {@code ?format=json} or {@code Accept: application/json};
 * {@code ?limit=N} rows (default 50). Reads share the collector's readings (at most one kernel read per sample
 * interval).
 */
final class SourcesEndpoint {

    /** The rates are measured over about this long. */
    static final Duration WINDOW = Duration.ofSeconds(10);
    private static final int DEFAULT_LIMIT = 50;

    private final String node;
    private final Clock clock;
    private volatile Serving serving;

    SourcesEndpoint(String node) {
        this(node, Clock.systemUTC());
    }

    SourcesEndpoint(String node, Clock clock) {
        this.node = node;
        this.clock = clock;
    }

    /** Starts answering with the sampler's readings; until then {@code /sources} answers 503. */
    void serve(RecentSamples samples, ContainerResolver resolver, Duration sampleInterval) {
        this.serving = new Serving(samples, resolver, sampleInterval);
    }

    private record Serving(RecentSamples samples, ContainerResolver resolver, Duration sampleInterval) {
    }

    /** One row: a container's directory (or its other directories), total and rate. */
    record Row(String namespace, String pod, String container, String cgroup, String directory, String fsType,
               String device, long lookups, long unlinks, long total, double perSecond) {
    }

    /** What {@code /sources} shows. */
    record View(String node, Instant time, String mode, Optional<String> unavailable, double windowSeconds,
                List<Row> rows, long totalPerSecondTimes10) {
    }

    void handle(HttpExchange exchange) throws IOException {
        Serving s = serving;
        if (s == null) {
            HttpRoutes.respond(exchange, HttpURLConnection.HTTP_UNAVAILABLE, "starting: the probes are not attached yet\n",
                    "text/plain; charset=utf-8");
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        int limit = DEFAULT_LIMIT;
        try {
            limit = Math.clamp(Integer.parseInt(query.getOrDefault("limit", "" + DEFAULT_LIMIT)), 1, 10_000);
        } catch (NumberFormatException e) {
            HttpRoutes.respond(exchange, HttpURLConnection.HTTP_BAD_REQUEST, "limit: not a number\n", "text/plain; charset=utf-8");
            return;
        }
        View view;
        try {
            view = view(s, limit);
        } catch (RuntimeException e) {
            HttpRoutes.respond(exchange, HttpURLConnection.HTTP_INTERNAL_ERROR, "cannot read the sampler: " + e + "\n",
                    "text/plain; charset=utf-8");
            return;
        }
        String accept = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Accept")).orElse("");
        boolean json = "json".equals(query.get("format")) || !"text".equals(query.get("format"))
                && accept.contains("application/json");
        if (json) {
            HttpRoutes.respond(exchange, HttpURLConnection.HTTP_OK, json(view), "application/json");
        } else {
            int width = 0;
            try {
                width = Integer.parseInt(query.getOrDefault("width", "0"));
            } catch (NumberFormatException ignored) {
                // the default width
            }
            HttpRoutes.respond(exchange, HttpURLConnection.HTTP_OK, text(view, width), "text/plain; charset=utf-8");
        }
    }

    View view(Serving s, int limit) {
        Instant now = clock.instant();
        DentrySample latest = s.samples().fresh(s.sampleInterval(), now);
        NegativeSources sources = latest.negativeSources();
        String mode = latest.info().mode().name().toLowerCase(Locale.ROOT);
        if (!sources.available()) {
            return new View(node, latest.time(), mode, sources.unavailable(), 0, List.of(), 0);
        }
        Optional<RecentSamples.SourcesReading> before = s.samples().before(latest, WINDOW);
        Map<String, Long> earlier = new HashMap<>();
        double seconds = 0;
        if (before.isPresent()) {
            seconds = Duration.between(before.get().time(), latest.time()).toNanos() / 1e9;
            for (CgroupNegativeSources c : before.get().sources().cgroups()) {
                for (DirectorySource d : c.directories()) {
                    earlier.put(c.cgroupId() + " " + d.directory(), d.total());
                }
                earlier.put(c.cgroupId() + " ", c.other());
            }
        }
        List<Row> rows = new ArrayList<>();
        double all = 0;
        for (CgroupNegativeSources c : sources.cgroups()) {
            ContainerIdentity id = s.resolver().resolve(c.cgroupId(), c.path());
            for (DirectorySource d : c.directories()) {
                double rate = rate(d.total(), earlier.get(c.cgroupId() + " " + d.directory()), seconds);
                all += rate;
                rows.add(new Row(id.namespace(), id.pod(), id.container(), c.path(), d.directory(), d.fsType(), d.device(),
                        d.lookups(), d.unlinks(), d.total(), rate));
            }
            if (c.other() > 0) {
                double rate = rate(c.other(), earlier.get(c.cgroupId() + " "), seconds);
                all += rate;
                rows.add(new Row(id.namespace(), id.pod(), id.container(), c.path(), "_other", "", "", 0, 0, c.other(), rate));
            }
        }
        rows.sort(Comparator.comparingDouble(Row::perSecond).reversed().thenComparing(Comparator.comparingLong(Row::total).reversed())
                .thenComparing(Row::container).thenComparing(Row::directory));
        return new View(node, latest.time(), mode, Optional.empty(), seconds,
                List.copyOf(rows.subList(0, Math.min(limit, rows.size()))), Math.round(all * 10));
    }

    /** Per second since the earlier reading; a directory new since then counts from zero. */
    private static double rate(long now, Long earlier, double seconds) {
        if (seconds <= 0) {
            return 0;
        }
        long base = earlier == null || earlier > now ? 0 : earlier;
        return (now - base) / seconds;
    }

    static String text(View v, int width) {
        StringBuilder out = new StringBuilder();
        out.append("dentrywatch negative dentry sources: node ").append(v.node()).append(", ").append(v.mode())
                .append(" mode, ").append(v.time().truncatedTo(ChronoUnit.SECONDS)).append('\n');
        if (v.unavailable().isPresent()) {
            out.append("\nnegative sources are unavailable: ").append(v.unavailable().get()).append('\n');
            return out.toString();
        }
        out.append(String.format(Locale.ROOT, "%.1f negative dentries/s from the sources below", v.totalPerSecondTimes10() / 10.0))
                .append(v.windowSeconds() > 0 ? String.format(Locale.ROOT, " (rates over the last %.1f s)", v.windowSeconds())
                        : " (rates from the next reading on)").append("\n\n");
        int containerWidth = 32;
        String header = String.format(Locale.ROOT, "%10s %12s %8s  %-" + containerWidth + "s  %s", "NEG/S", "TOTAL", "UNLINK%",
                "CONTAINER", "DIRECTORY");
        out.append(cut(header, width)).append('\n');
        if (v.rows().isEmpty()) {
            out.append("(no negative dentries counted yet)\n");
        }
        for (Row r : v.rows()) {
            String container = r.pod().isEmpty() ? r.container() : r.namespace() + "/" + r.pod() + "/" + r.container();
            if (container.length() > containerWidth) {
                container = "..." + container.substring(container.length() - containerWidth + 3);
            }
            String unlinkShare = r.total() == 0 || r.directory().equals("_other") ? "-"
                    : String.format(Locale.ROOT, "%d%%", Math.round(100.0 * r.unlinks() / r.total()));
            out.append(cut(String.format(Locale.ROOT, "%10.1f %,12d %8s  %-" + containerWidth + "s  %s", r.perSecond(), r.total(),
                    unlinkShare, container, r.directory()), width)).append('\n');
        }
        return out.toString();
    }

    private static String cut(String line, int width) {
        return width > 0 && line.length() > width ? line.substring(0, width) : line;
    }

    static String json(View v) {
        StringBuilder out = new StringBuilder();
        out.append("{\"node\":").append(quote(v.node())).append(",\"time\":").append(quote(v.time().toString()))
                .append(",\"mode\":").append(quote(v.mode())).append(",\"available\":").append(v.unavailable().isEmpty());
        v.unavailable().ifPresent(reason -> out.append(",\"reason\":").append(quote(reason)));
        out.append(String.format(Locale.ROOT, ",\"window_seconds\":%.3f,\"sources\":[", v.windowSeconds()));
        for (int i = 0; i < v.rows().size(); i++) {
            Row r = v.rows().get(i);
            out.append(i == 0 ? "" : ",").append("{\"namespace\":").append(quote(r.namespace()))
                    .append(",\"pod\":").append(quote(r.pod())).append(",\"container\":").append(quote(r.container()))
                    .append(",\"cgroup\":").append(quote(r.cgroup())).append(",\"directory\":").append(quote(r.directory()))
                    .append(",\"fs_type\":").append(quote(r.fsType())).append(",\"device\":").append(quote(r.device()))
                    .append(",\"lookups\":").append(r.lookups()).append(",\"unlinks\":").append(r.unlinks())
                    .append(",\"total\":").append(r.total())
                    .append(String.format(Locale.ROOT, ",\"per_second\":%.3f}", r.perSecond()));
        }
        return out.append("]}\n").toString();
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) {
            return q;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                q.put(java.net.URLDecoder.decode(part.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(part.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return q;
    }
}
