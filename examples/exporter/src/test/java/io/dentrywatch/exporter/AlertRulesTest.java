package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The alert rules: valid for promtool, unit-tested by promtool, the same in both files, well annotated. */
class AlertRulesTest {

    static final List<String> ALERTS = List.of("NodeDentryCacheLarge", "DentryAllocationRateAboveBaseline",
            "DentryReclaimRunsSpiking", "ContainerHoldsMostOfTheDentryCache", "ContainerOOMKilled");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Runs promtool; returns its exit code and output. */
    private static Result promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Preconditions.tool("promtool", "prometheus").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .directory(DeployFiles.dir().resolve("prometheus").toFile()).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "promtool did not finish");
        return new Result(process.exitValue(), output);
    }

    private record Result(int exit, String output) {
    }

    /** Every rule of the plain rules file. */
    static List<JsonNode> rules() throws IOException {
        List<JsonNode> rules = new ArrayList<>();
        YAML.readTree(DeployFiles.rules().toFile()).get("groups").forEach(g -> g.get("rules").forEach(rules::add));
        return rules;
    }

    @Test
    void promtoolChecksTheRules() throws Exception {
        Result check = promtool("check", "rules", DeployFiles.rules().getFileName().toString());

        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("SUCCESS: " + ALERTS.size() + " rules found"), check.output());
    }

    @Test
    void promtoolUnitTestsFireAndSilenceEveryAlert() throws Exception {
        Result test = promtool("test", "rules", DeployFiles.rulesTests().getFileName().toString());

        assertEquals(0, test.exit(), test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());
        String tests = java.nio.file.Files.readString(DeployFiles.rulesTests());
        for (String alert : ALERTS) {
            assertTrue(tests.contains("alertname: " + alert + "\n        exp_alerts: []"), alert + " is never silent");
            assertTrue(tests.contains("alertname: " + alert + "\n        exp_alerts:\n          - exp_labels:"),
                    alert + " never fires");
        }
    }

    @Test
    void thePrometheusRuleHoldsTheSameGroups() throws IOException {
        JsonNode plain = YAML.readTree(DeployFiles.rules().toFile());
        JsonNode crd = YAML.readTree(DeployFiles.prometheusRule().toFile());

        assertEquals("PrometheusRule", crd.get("kind").asText());
        assertEquals(plain.get("groups"), crd.get("spec").get("groups"),
                "deploy/kubernetes/prometheusrule.yaml must embed deploy/prometheus/dentrywatch-rules.yaml's groups");
    }

    @Test
    void everyAlertHasASeveritySummaryAndADescriptionNamingThePodAndWhatToDo() throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonNode rule : rules()) {
            String name = rule.get("alert").asText();
            names.add(name);
            assertTrue(rule.path("labels").path("severity").isTextual(), name + " has no severity");
            assertTrue(rule.path("annotations").path("summary").asText().length() > 20, name + " has no summary");
            String description = rule.path("annotations").path("description").asText();
            assertTrue(description.contains("{{ $labels.pod }}") || description.contains("{{ .Labels.pod }}"),
                    name + "'s description does not name the pod: " + description);
            assertTrue(description.matches("(?s).*\\b(fix|raise|find|check)\\b.*"),
                    name + "'s description does not say what to do: " + description);
        }
        assertEquals(ALERTS, names);
    }

    @Test
    void everyExpressionUsesFamiliesOfTheCatalogue() throws IOException {
        Set<String> used = new HashSet<>();
        for (JsonNode rule : rules()) {
            Set<String> names = PromQl.metricNames(rule.get("expr").asText());
            assertTrue(PromQl.CATALOGUE.containsAll(names), rule.get("alert") + " uses unknown families: " + names);
            used.addAll(names);
        }
        assertEquals(Set.of("node_dentry_count", "dentry_alloc_total", "node_dentry_reclaim_total", "oom_kills_total",
                "dentry_resident"), used);
    }
}
