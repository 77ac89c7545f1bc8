package io.signalhub;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.sandbox.Sandbox;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A generated corpus of bad payloads against every ingress (truncated JSON, wrong types, huge
 * strings, deep nesting, wrong auth, oversized bodies, garbage): each gets a clear 4xx with a JSON body
 * naming the problem, nothing reaches a vendor, the hub stays healthy, and no secret appears in any
 * log line or answer.
 */
class HostileInputTest {

    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;
    private static final String SEGMENT_SECRET = Sandbox.SEGMENT_SHARED_SECRET;
    private static final List<String> LOG_LINES = new CopyOnWriteArrayList<>();
    private static TestHub hub;
    private static AbstractAppender capture;

    @BeforeAll
    static void start() throws Exception {
        capture = new AbstractAppender("hostile-input-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                LOG_LINES.add(event.getMessage().getFormattedMessage()
                        + (event.getThrown() == null ? "" : " " + event.getThrown()));
            }
        };
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(capture, null, null);
        context.updateLoggers();
        hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()));
    }

    @AfterAll
    static void stop() {
        hub.close();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(capture.getName());
        context.updateLoggers();
    }

    /** A payload; {@code tolerable} ones (a wrong type in an optional field) may also be taken, never fail the hub. */
    private record Case(String path, Map<String, String> headers, String body, String what, boolean tolerable) {
        Case(String path, Map<String, String> headers, String body, String what) {
            this(path, headers, body, what, false);
        }
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static Map<String, String> basic(String user, String password) {
        return Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** Valid bodies of each ingress, the seeds the corpus mutates. */
    private static List<Case> seeds() {
        String event = "{\"event.kind\":\"message.push.sent\",\"event.id\":\"e-1\",\"event.timestamp\":1708559115,"
                + "\"event.subscription_id\":\"s-1\",\"event.external_id\":\"u-1\",\"message.id\":\"m-1\"}";
        String identify = "{\"type\":\"identify\",\"userId\":\"u-1\",\"traits\":{\"plan\":\"pro\"}}";
        String track = "{\"writeKey\":\"" + TestHub.SEGMENT_WRITE_KEY + "\",\"userId\":\"u-1\",\"event\":\"E\",\"properties\":{}}";
        String batch = "{\"writeKey\":\"" + TestHub.SEGMENT_WRITE_KEY + "\",\"batch\":[{\"type\":\"track\",\"userId\":\"u-1\",\"event\":\"E\"}]}";
        String mixpanel = "{\"action\":\"add_members\",\"parameters\":{\"mixpanel_cohort_id\":\"1\",\"members\":[{\"mixpanel_distinct_id\":\"u-1\"}]}}";
        String amplitude = "{\"cohort_id\":\"c1\",\"in_cohort\":true,\"message_id\":\"m-1\",\"users\":[{\"user_id\":\"u-1\"}]}";
        return List.of(
                new Case("/onesignal/events", bearer(TestHub.INGRESS_TOKEN), event, "event"),
                new Case("/segment/webhook", Map.of(), identify, "webhook"),
                new Case("/v1/track", Map.of(), track, "track"),
                new Case("/v1/batch", Map.of(), batch, "batch"),
                new Case("/mixpanel/cohorts", bearer(TestHub.INGRESS_TOKEN), mixpanel, "mixpanel"),
                new Case("/amplitude/cohorts", bearer(TestHub.INGRESS_TOKEN), amplitude, "amplitude"));
    }

    /** The webhook is signed for each body it is sent with, so its cases test the body, not the signature. */
    private static Map<String, String> signedIfWebhook(Case seed, String body) {
        if (!seed.path().equals("/segment/webhook")) {
            return seed.headers();
        }
        String signature = java.util.HexFormat.of().formatHex(new io.signalhub.vendors.segment.WebhookSignature(SEGMENT_SECRET)
                .sign(body.getBytes(StandardCharsets.UTF_8)));
        return Map.of("X-Signature", signature);
    }

    private static List<Case> corpus() {
        Random random = new Random(20261122);
        List<Case> cases = new ArrayList<>();
        for (Case seed : seeds()) {
            String body = seed.body();
            // truncated JSON, cut at every few characters
            for (int cut = 1; cut < body.length() - 1; cut += Math.max(1, body.length() / 50)) {
                String truncated = body.substring(0, cut);
                cases.add(new Case(seed.path(), signedIfWebhook(seed, truncated), truncated, seed.what() + " truncated at " + cut));
            }
            // wrong types for every field the seed has
            JsonNode parsed = read(body);
            List<String> fields = new ArrayList<>();
            parsed.fieldNames().forEachRemaining(fields::add);
            for (String field : fields) {
                for (String wrong : List.of("123", "[1,2]", "{\"a\":{}}", "true", "null", "\"\"")) {
                    if (field.equals("writeKey") && !wrong.equals("\"\"") && !wrong.equals("null")) {
                        continue;
                    }
                    com.fasterxml.jackson.databind.node.ObjectNode mutated = parsed.deepCopy();
                    mutated.set(field, read(wrong));
                    String text = mutated.toString();
                    cases.add(new Case(seed.path(), signedIfWebhook(seed, text), text, seed.what() + " " + field + "=" + wrong, true));
                }
            }
            // structure and size
            for (String bad : List.of("", " ", "[]", "[1]", "\"text\"", "42", "null", "{}", "not json at all", "{\"a\":",
                    "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000),
                    "{\"" + "k".repeat(100_000) + "\":1}", "\u0000\u0001\u0002", "{\"x\":\"\uD800\"}")) {
                cases.add(new Case(seed.path(), signedIfWebhook(seed, bad), bad, seed.what() + " structure #" + cases.size()));
            }
            byte[] garbage = new byte[2048];
            random.nextBytes(garbage);
            String noise = new String(garbage, StandardCharsets.ISO_8859_1);
            cases.add(new Case(seed.path(), signedIfWebhook(seed, noise), noise, seed.what() + " random bytes"));
            String oversized = "{\"pad\":\"" + "x".repeat(17 * 1024 * 1024) + "\"}";
            cases.add(new Case(seed.path(), seed.headers(), oversized, seed.what() + " 17 MB body"));
            // wrong authentication with a valid body
            for (Map<String, String> auth : List.of(Map.<String, String>of(), bearer("wrong"), bearer(""), basic("wrong", "wrong"),
                    Map.of("Authorization", "Basic !!!not-base64"), Map.of("Authorization", "Bearer " + "t".repeat(10_000)),
                    Map.of("X-Signature", "00"), Map.of("X-Signature", "zz"))) {
                String unauthenticated = seed.path().startsWith("/v1/") ? body.replace(TestHub.SEGMENT_WRITE_KEY, "wrong-key") : body;
                cases.add(new Case(seed.path(), auth, unauthenticated, seed.what() + " auth " + auth));
            }
        }
        // the admin endpoints
        for (Map<String, String> auth : List.of(Map.<String, String>of(), bearer("wrong"), bearer(TestHub.INGRESS_TOKEN))) {
            cases.add(new Case("/admin/dead-letters/replay", auth, "", "replay " + auth));
            cases.add(new Case("/cohorts/mixpanel/1/export", auth, "", "export " + auth));
        }
        cases.add(new Case("/admin/dead-letters/replay?destination=" + "x".repeat(300), bearer(TestHub.ADMIN_TOKEN), "", "replay unknown"));
        cases.add(new Case("/cohorts/facebook/1/export", bearer(TestHub.ADMIN_TOKEN), "", "export unknown source"));
        return cases;
    }

    private static HttpResponse<String> send(Case payload, List<String> answers) throws Exception {
        HttpResponse<String> response = hub.post(payload.path(), payload.body(), payload.headers());
        answers.add(response.body());
        return response;
    }

    /**
     * A 4xx whose JSON body names the problem (the hub's shape, or Mixpanel's failure shape); or the
     * HTTP server's own 413 or 431 for a body or headers beyond its hard caps (camel.server.max-body-size,
     * 8 KB of headers), which never reach the hub's routes.
     */
    private static boolean refusedClearly(HttpResponse<String> response) {
        if (response.statusCode() == 413 || response.statusCode() == 431) {
            return true;
        }
        JsonNode body = Json.readObject(response.body());
        boolean named = body.hasNonNull("error") || body.path("status").asText().equals("failure");
        return response.statusCode() >= 400 && response.statusCode() < 500 && named;
    }

    private static JsonNode read(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyBadPayloadGetsAClear4xxAndChangesNothing() throws Exception {
        List<Case> corpus = corpus();
        assertTrue(corpus.size() >= 500, "the corpus has " + corpus.size() + " payloads");
        List<String> failures = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        // first every payload that must be refused: none of them may reach a vendor
        for (Case bad : corpus.stream().filter(c -> !c.tolerable()).toList()) {
            HttpResponse<String> response = send(bad, answers);
            if (!refusedClearly(response)) {
                failures.add(Json.abbreviate(bad.what(), 80) + " → " + response.statusCode() + " " + Json.abbreviate(response.body(), 200));
            }
        }
        assertEquals(List.of(), failures, failures.size() + " payloads were not refused clearly");
        Thread.sleep(1500);
        assertEquals(0, FAKES.segment().eventsSent() + FAKES.amplitude().eventsSent() + FAKES.mixpanel().eventsSent(),
                "nothing reached a Data Out vendor");
        assertEquals(0, FAKES.onesignal().requests(), "nothing reached OneSignal");

        // then wrong types in single fields: refused clearly, or taken (an optional field), never a failure of the hub
        for (Case odd : corpus.stream().filter(Case::tolerable).toList()) {
            HttpResponse<String> response = send(odd, answers);
            if (response.statusCode() >= 500 || (response.statusCode() >= 300 && !refusedClearly(response))) {
                failures.add(odd.what() + " → " + response.statusCode() + " " + Json.abbreviate(response.body(), 200));
            }
        }
        assertEquals(List.of(), failures, failures.size() + " payloads failed the hub");
        HttpResponse<String> health = hub.get("management:/observe/health", null);
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("UP"), health.body());

        // the refusals are counted, on Prometheus too
        HttpResponse<String> metrics = hub.get("management:/observe/metrics", null);
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().lines().anyMatch(line -> line.startsWith(
                "signalhub_ingress_rejected_total{ingress=\"onesignal-events\",reason=\"invalid\"}") && !line.endsWith(" 0.0")),
                "invalid OneSignal events counted on /observe/metrics");
        assertTrue(metrics.body().contains("signalhub_ingress_rejected_total{ingress=\"segment-webhook\",reason=\"unauthorized\"}"));

        List<String> secrets = List.of(TestHub.INGRESS_TOKEN, TestHub.ADMIN_TOKEN, TestHub.SEGMENT_WRITE_KEY, SEGMENT_SECRET,
                Sandbox.ONESIGNAL_API_KEY, Sandbox.AMPLITUDE_API_KEY, Sandbox.MIXPANEL_PROJECT_TOKEN, Sandbox.SEGMENT_WRITE_KEY);
        for (String secret : secrets) {
            assertTrue(LOG_LINES.stream().noneMatch(line -> line.contains(secret)), "a log line holds a secret");
            assertTrue(answers.stream().noneMatch(answer -> answer != null && answer.contains(secret)), "an answer holds a secret");
        }
        assertTrue(LOG_LINES.size() > 0, "the log was captured");
    }
}
