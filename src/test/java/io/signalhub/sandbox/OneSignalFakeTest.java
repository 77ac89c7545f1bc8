package io.signalhub.sandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OneSignal fake answers as OneSignal's API reference (https://documentation.onesignal.com/reference) says the real API does, over HTTP. */
class OneSignalFakeTest {

    private static final String APP = "app-1";
    private static final String KEY = "os_v2_app_key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final OneSignalFake FAKE = new OneSignalFake();

    @BeforeAll
    static void start() throws Exception {
        FAKE.addApp(APP, KEY);
        FAKE.start(0);
    }

    @AfterAll
    static void stop() {
        FAKE.stop();
    }

    @BeforeEach
    void reset() {
        FAKE.reset();
        FAKE.createUser(APP, "u1");
    }

    private static HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(FAKE.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> patchTags(String user, String tags) throws Exception {
        return call("PATCH", "/apps/" + APP + "/users/by/external_id/" + user, "Key " + KEY, "{\"properties\":{\"tags\":" + tags + "}}");
    }

    @Test
    void authenticationFailuresUseTheDocumentedBodies() throws Exception {
        HttpResponse<String> missing = call("PATCH", "/apps/" + APP + "/users/by/external_id/u1", null, "{}");
        assertEquals(401, missing.statusCode());
        assertEquals("auth-1", Json.MAPPER.readTree(missing.body()).path("errors").get(0).path("code").asText());
        HttpResponse<String> wrong = call("PATCH", "/apps/" + APP + "/users/by/external_id/u1", "Key nope", "{}");
        assertEquals(403, wrong.statusCode());
        assertTrue(wrong.body().contains("Access denied.  Please include"), wrong.body());
        assertEquals(202, call("PATCH", "/apps/" + APP + "/users/by/external_id/u1", "key " + KEY,
                "{\"properties\":{\"tags\":{\"a\":\"1\"}}}").statusCode(), "the key scheme is case-insensitive");
    }

    @Test
    void tagsAreStringsDeletedByBlankOrNullAndNeverCreateUsers() throws Exception {
        HttpResponse<String> set = patchTags("u1", "{\"plan\":\"pro\",\"n\":5,\"old\":\"x\"}");
        assertEquals(202, set.statusCode());
        assertEquals("{\"properties\":{\"tags\":{\"plan\":\"pro\",\"n\":5,\"old\":\"x\"}}}", set.body());
        assertEquals(Map.of("plan", "pro", "n", "5", "old", "x"), FAKE.tags(APP, "u1"));
        Thread.sleep(1000);
        assertEquals(202, patchTags("u1", "{\"old\":\"\",\"n\":null}").statusCode());
        assertEquals(Map.of("plan", "pro"), FAKE.tags(APP, "u1"));

        assertEquals(404, patchTags("nobody", "{\"a\":\"1\"}").statusCode());
        assertNull(FAKE.tags(APP, "nobody"));
        HttpResponse<String> nested = patchTags("u1", "{\"address\":{\"city\":\"SF\"}}");
        assertEquals(400, nested.statusCode());
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 101; i++) {
            many.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
        }
        HttpResponse<String> tooMany = patchTags("u1", many + "}");
        assertEquals(400, tooMany.statusCode());
        assertTrue(tooMany.body().contains("100 per request"), tooMany.body());
    }

    @Test
    void theSecondUpdateOfAUserWithinASecondGets429AndThePlanLimitsTags() throws Exception {
        assertEquals(202, patchTags("u1", "{\"a\":\"1\"}").statusCode());
        HttpResponse<String> again = patchTags("u1", "{\"b\":\"2\"}");
        assertEquals(429, again.statusCode());
        assertEquals("1", again.headers().firstValue("Retry-After").orElse(null));
        assertTrue(again.body().contains("Subscription/User Update Per Device"));

        FAKE.plan(APP, OneSignalFake.Plan.FREE);
        FAKE.perUserInterval(0);
        assertEquals(202, patchTags("u1", "{\"b\":\"2\"}").statusCode());
        HttpResponse<String> third = patchTags("u1", "{\"c\":\"3\"}");
        assertEquals(400, third.statusCode());
        assertTrue(third.body().contains("maximum of 2 tags"), third.body());
        assertEquals(202, patchTags("u1", "{\"a\":\"changed\"}").statusCode(), "existing keys still update at the limit");
    }

    @Test
    void customEventsReportUnknownUsersAndDeduplicateIdempotencyKeys() throws Exception {
        String events = "{\"events\":[{\"name\":\"Order\",\"external_id\":\"u1\",\"idempotency_key\":\"k1\",\"payload\":{\"x\":1}},"
                + "{\"name\":\"Order\",\"external_id\":\"ghost\",\"idempotency_key\":\"k2\"}]}";
        HttpResponse<String> answer = call("POST", "/apps/" + APP + "/custom_events", "Key " + KEY, events);
        assertEquals(202, answer.statusCode());
        JsonNode errors = Json.MAPPER.readTree(answer.body()).path("errors");
        assertEquals(1, errors.size());
        assertEquals("ghost", errors.get(0).path("event_user_id").asText());
        call("POST", "/apps/" + APP + "/custom_events", "Key " + KEY, events);
        assertEquals(1, FAKE.customEvents(APP).size(), "the same idempotency key counts once");
        assertEquals(1, FAKE.customEvents(APP).get(0).path("properties").path("x").asInt(), "payload is taken as properties");
        assertEquals(400, call("POST", "/apps/" + APP + "/custom_events", "Key " + KEY,
                "{\"events\":[{\"name\":\"" + "n".repeat(129) + "\",\"external_id\":\"u1\"}]}").statusCode());
    }

    @Test
    void segmentsAreValidatedLimitedAndEvaluatedFromTags() throws Exception {
        String vip = "{\"name\":\"VIP\",\"filters\":[{\"field\":\"tag\",\"key\":\"vip\",\"relation\":\"=\",\"value\":\"true\"}]}";
        HttpResponse<String> created = call("POST", "/apps/" + APP + "/segments", "Key " + KEY, vip);
        assertEquals(201, created.statusCode());
        assertTrue(Json.MAPPER.readTree(created.body()).path("success").asBoolean());
        assertEquals(409, call("POST", "/apps/" + APP + "/segments", "Key " + KEY, vip).statusCode());
        assertEquals(400, call("POST", "/apps/" + APP + "/segments", "Key " + KEY,
                "{\"name\":\"X\",\"filters\":[{\"field\":\"tag\",\"key\":\"a\",\"relation\":\"exists\"},{\"operator\":\"OR\"}]}").statusCode());
        assertEquals(400, call("POST", "/apps/" + APP + "/segments", "Key " + KEY,
                "{\"name\":\"X\",\"filters\":[{\"field\":\"cohort\"}]}").statusCode());
        JsonNode list = Json.MAPPER.readTree(call("GET", "/apps/" + APP + "/segments?offset=0&limit=300", "Key " + KEY, null).body());
        assertEquals(1, list.path("total_count").asInt());

        patchTags("u1", "{\"vip\":\"true\"}");
        FAKE.createUser(APP, "u2");
        assertEquals(List.of("u1"), FAKE.members(APP, "VIP"));

        FAKE.plan(APP, new OneSignalFake.Plan(10, 1, true));
        assertEquals(422, call("POST", "/apps/" + APP + "/segments", "Key " + KEY, vip.replace("VIP", "VIP 2")).statusCode());
        FAKE.plan(APP, OneSignalFake.Plan.FREE);
        HttpResponse<String> free = call("POST", "/apps/" + APP + "/segments", "Key " + KEY, vip.replace("VIP", "VIP 3"));
        assertEquals(403, free.statusCode());
        assertTrue(free.body().contains("not available for applications on your plan"));
    }

    @Test
    void createMessageByExternalIdAnswersAsDocumented() throws Exception {
        FAKE.addSubscription(APP, "u1", "iOSPush", "ab".repeat(32));
        String key = "Key " + KEY;
        String base = "{\"app_id\":\"" + APP + "\",\"target_channel\":\"push\",\"contents\":{\"en\":\"Hi\"},";
        assertEquals(400, call("POST", "/notifications", key, base.replaceFirst(",$", "}")).statusCode(), "no targeting");
        assertEquals(400, call("POST", "/notifications", key, "{\"app_id\":\"" + APP + "\",\"target_channel\":\"push\","
                + "\"contents\":{\"de\":\"Hallo\"},\"include_aliases\":{\"external_id\":[\"u1\"]}}").statusCode(), "English is required");
        assertEquals(403, call("POST", "/notifications", "Key wrong", base + "\"include_aliases\":{\"external_id\":[\"u1\"]}}").statusCode());

        HttpResponse<String> partly = call("POST", "/notifications", key, base
                + "\"include_aliases\":{\"external_id\":[\"u1\",\"nobody\"]},\"idempotency_key\":\"6f1c2a9e-0000-4000-8000-000000000001\"}");
        assertEquals(200, partly.statusCode());
        JsonNode answer = Json.MAPPER.readTree(partly.body());
        assertEquals(36, answer.path("id").asText().length());
        assertEquals("[\"nobody\"]", answer.path("errors").path("invalid_aliases").path("external_id").toString());
        assertEquals(List.of("u1"), FAKE.notifications(APP).get(0).recipients());

        HttpResponse<String> again = call("POST", "/notifications", key, base
                + "\"include_aliases\":{\"external_id\":[\"u1\"]},\"idempotency_key\":\"6f1c2a9e-0000-4000-8000-000000000001\"}");
        assertEquals(answer.path("id").asText(), Json.MAPPER.readTree(again.body()).path("id").asText());
        assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals(1, FAKE.notifications(APP).size(), "an idempotency key seen before sends nothing again");

        HttpResponse<String> nobody = call("POST", "/notifications", key, base.replace("push", "email")
                + "\"include_aliases\":{\"external_id\":[\"u1\"]}}");
        assertEquals("{\"id\":\"\",\"errors\":[\"All included players are not subscribed\"]}", nobody.body(), "u1 has no email subscription");
    }
}
