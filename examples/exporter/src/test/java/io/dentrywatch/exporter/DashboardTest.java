package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's structure; its queries run against a live Prometheus in ExporterEndToEndIT. */
class DashboardTest {

    /** Families the dashboard uses from elsewhere: node_exporter's CPU seconds. */
    private static final Set<String> EXTERNAL = Set.of("node_cpu_seconds_total");

    private static JsonNode panel(String title) throws IOException {
        return Dashboard.panels().stream().filter(p -> p.get("title").asText().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no panel titled " + title));
    }

    private static List<String> exprs(JsonNode panel) {
        List<String> exprs = new ArrayList<>();
        panel.get("targets").forEach(t -> exprs.add(t.get("expr").asText()));
        return exprs;
    }

    @Test
    void hasThePanelsTheIssueAsksFor() throws IOException {
        assertTrue(exprs(panel("Dentry allocation rate per pod")).getFirst()
                .startsWith("sum by (namespace, pod) (rate(dentry_alloc_total{"));
        List<String> node = exprs(panel("Node dentries (threshold line: $threshold)"));
        assertTrue(node.stream().anyMatch(e -> e.contains("node_dentry_count{type=\"total\"")), node.toString());
        assertTrue(node.contains("vector($threshold)"), node.toString());
        assertTrue(exprs(panel("Top 10 pods by allocation rate")).getFirst().startsWith("topk(10, "));
        assertTrue(exprs(panel("Negative share")).getFirst().contains("node_dentry_count{type=\"negative\""));
        List<String> reclaim = exprs(panel("Reclaim runs against CPU"));
        assertTrue(reclaim.get(0).contains("node_dentry_reclaim_total") && reclaim.get(1).contains("node_cpu_seconds_total"));
        assertTrue(exprs(panel("OOM kills")).getFirst().contains("oom_kills_total"));
    }

    @Test
    void everyQueryUsesTheDataSourceVariableAndKnownFamilies() throws IOException {
        JsonNode variables = Dashboard.json().get("templating").get("list");
        assertEquals("datasource", variables.get(0).get("type").asText());
        Set<String> defined = new HashSet<>();
        variables.forEach(v -> defined.add("$" + v.get("name").asText()));

        for (JsonNode panel : Dashboard.panels()) {
            assertEquals("${datasource}", panel.get("datasource").get("uid").asText(), panel.get("title").asText());
            assertFalse(panel.get("targets").isEmpty(), panel.get("title") + " has no query");
        }
        for (Dashboard.Query q : Dashboard.queries()) {
            Set<String> names = PromQl.metricNames(q.resolved());
            names.removeAll(EXTERNAL);
            assertTrue(PromQl.CATALOGUE.containsAll(names), q.panel() + " uses unknown families: " + names);
            assertFalse(q.resolved().contains("$"), q.panel() + " uses a variable the dashboard does not define: " + q.expr());
            for (String variable : Dashboard.VARIABLES.keySet()) {
                assertTrue(variable.startsWith("$__") || defined.contains(variable), variable + " is not defined");
            }
        }
    }

    @Test
    void panelsDoNotOverlap() throws IOException {
        List<JsonNode> all = new ArrayList<>();
        Dashboard.json().get("panels").forEach(all::add);
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                JsonNode a = all.get(i).get("gridPos");
                JsonNode b = all.get(j).get("gridPos");
                boolean apart = a.get("x").asInt() + a.get("w").asInt() <= b.get("x").asInt()
                        || b.get("x").asInt() + b.get("w").asInt() <= a.get("x").asInt()
                        || a.get("y").asInt() + a.get("h").asInt() <= b.get("y").asInt()
                        || b.get("y").asInt() + b.get("h").asInt() <= a.get("y").asInt();
                assertTrue(apart, all.get(i).get("title") + " overlaps " + all.get(j).get("title"));
            }
        }
    }
}
