package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Grafana dashboard's panels and queries, and the queries as Prometheus would get them from Grafana. */
final class Dashboard {

    /** What Grafana puts in place of each variable: every node and namespace, the default threshold. */
    static final Map<String, String> VARIABLES = Map.of(
            "$__rate_interval", "1m", "$__interval", "15s", "$__range", "5m",
            "$node", ".*", "$namespace", ".*", "$threshold", "50000000");

    /** One query of one panel. */
    record Query(String panel, String expr) {
        /** The query with the variables replaced, as Prometheus receives it. */
        String resolved() {
            String s = expr;
            for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
                s = s.replace("${" + v.getKey().substring(1) + "}", v.getValue()).replace(v.getKey(), v.getValue());
            }
            return s;
        }
    }

    private Dashboard() {
    }

    static JsonNode json() throws IOException {
        return new ObjectMapper().readTree(DeployFiles.dashboard().toFile());
    }

    /** The panels that show data (not rows). */
    static List<JsonNode> panels() throws IOException {
        List<JsonNode> panels = new ArrayList<>();
        json().get("panels").forEach(p -> {
            if (!p.get("type").asText().equals("row")) {
                panels.add(p);
            }
        });
        return panels;
    }

    static List<Query> queries() throws IOException {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels()) {
            panel.get("targets").forEach(t -> queries.add(new Query(panel.get("title").asText(), t.get("expr").asText())));
        }
        return queries;
    }
}
