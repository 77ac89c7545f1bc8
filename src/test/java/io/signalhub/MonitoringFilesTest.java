package io.signalhub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitoring stack's files: Prometheus's rules checked and unit-tested by promtool (Debian's
 * prometheus package; .ci/run installs it), the Grafana dashboard on the provisioned data source. That
 * every metric they name is one the hub exposes is checked against a running hub by StatusPageBrowserTest.
 */
class MonitoringFilesTest {

    static final Path RULES = Path.of("monitoring", "prometheus", "signalhub-alerts.yml");
    static final Path DASHBOARD = Path.of("monitoring", "grafana", "dashboards", "signalhub.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:signalhub|jvm)_[a-z_]+)\\b");

    private static String promtool(String... arguments) throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/promtool")), "promtool is missing: .ci/run installs Debian's prometheus");
        List<String> command = new ArrayList<>(List.of("/usr/bin/promtool"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(RULES.getParent().toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    /** The hub's metrics the rules and the dashboard query. */
    @SuppressWarnings("unchecked")
    static Set<String> metricNames() throws Exception {
        Set<String> names = new TreeSet<>();
        Map<String, Object> rules = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(RULES));
        for (Object group : (List<Object>) rules.get("groups")) {
            for (Object rule : (List<Object>) ((Map<String, Object>) group).get("rules")) {
                names.addAll(metrics(String.valueOf(((Map<String, Object>) rule).get("expr"))));
            }
        }
        for (JsonNode panel : Json.MAPPER.readTree(DASHBOARD.toFile()).path("panels")) {
            panel.path("targets").forEach(target -> names.addAll(metrics(target.path("expr").asText())));
        }
        return names;
    }

    private static Set<String> metrics(String expression) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = METRIC.matcher(expression);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    @Test
    void theAlertingRulesAreValidAndFireWhenTheyShould() throws Exception {
        assertTrue(promtool("check", "rules", RULES.getFileName().toString()).contains("SUCCESS: 7 rules found"));
        assertTrue(promtool("test", "rules", "signalhub-alerts.test.yml").contains("SUCCESS"));
    }

    @Test
    void theDashboardQueriesTheProvisionedPrometheus() throws Exception {
        JsonNode dashboard = Json.MAPPER.readTree(DASHBOARD.toFile());
        String provisioned = Files.readString(Path.of("monitoring", "grafana", "provisioning", "datasources", "prometheus.yml"));
        assertTrue(dashboard.path("panels").size() >= 10);
        for (JsonNode panel : dashboard.path("panels")) {
            String uid = panel.path("datasource").path("uid").asText();
            assertTrue(provisioned.contains("uid: " + uid), panel.path("title") + " uses " + uid);
            assertTrue(panel.path("targets").size() > 0 && !panel.path("targets").get(0).path("expr").asText().isBlank(), panel.path("title").asText());
        }
        assertTrue(metricNames().contains("signalhub_destination_failing_seconds"), metricNames().toString());
    }
}
