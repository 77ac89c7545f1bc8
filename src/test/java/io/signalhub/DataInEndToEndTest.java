package io.signalhub;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.segment.analytics.Analytics;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.TrackMessage;
import io.signalhub.vendors.segment.WebhookSignature;
import io.signalhub.monitoring.DataInStats;
import io.signalhub.sandbox.OneSignalFake;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segment's webhook and Tracking API (with Segment's own Java SDK) → real Kafka → the YAML routes →
 * the OneSignal fake over HTTP. One hub for the class; each test works on users of its own.
 */
class DataInEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String APP = Sandbox.ONESIGNAL_APP_ID;
    private static final int TAG_LIMIT = 5;
    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;
    private static final WebhookSignature SIGNER = new WebhookSignature(Sandbox.SEGMENT_SHARED_SECRET);
    private static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.onesignal.tag-limit", String.valueOf(TAG_LIMIT));
        settings.put("hub.onesignal.custom-events", "true");
        hub = TestHub.start(settings);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static OneSignalFake onesignal() {
        return FAKES.onesignal();
    }

    private static DataInStats stats() {
        return hub.metrics().dataIn("onesignal");
    }

    private static String newUser() {
        String user = "user-" + UUID.randomUUID().toString().substring(0, 8);
        onesignal().createUser(APP, user);
        return user;
    }

    /** As Segment sends it: signed, and a batch (whose signature covers its first message only) with the token too. */
    private static HttpResponse<String> webhook(String body) throws Exception {
        String signature = HexFormat.of().formatHex(SIGNER.sign(firstElementOrAll(body).getBytes(StandardCharsets.UTF_8)));
        Map<String, String> headers = new java.util.HashMap<>(Map.of("X-Signature", signature, "User-Agent", "Segment.io/1.0"));
        if (body.trim().startsWith("[")) {
            headers.put("Authorization", "Bearer " + TestHub.INGRESS_TOKEN);
        }
        return hub.post("/segment/webhook", body, headers);
    }

    /** What Segment signs: the body, or an Actions batch's first element as it was serialised. */
    private static String firstElementOrAll(String body) {
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            return root.isArray() ? root.get(0).toString() : body;
        } catch (java.io.IOException notJson) {
            return body;
        }
    }

    private static String identify(String user, String traits) {
        return "{\"type\":\"identify\",\"userId\":\"" + user + "\",\"messageId\":\"" + UUID.randomUUID() + "\",\"traits\":" + traits + "}";
    }

    @Test
    void signedIdentifySetsTagsOnTheMatchingUser() throws Exception {
        String user = newUser();
        HttpResponse<String> response = webhook(identify(user, "{\"firstName\":\"Peter\",\"lastName\":\"Gibbons\","
                + "\"email\":\"peter@example.com\",\"plan\":\"premium\",\"logins\":5,\"vip\":true,"
                + "\"address\":{\"city\":\"San Francisco\"},\"old\":null}"));
        assertEquals(200, response.statusCode(), response.body());

        await("tags on " + user, WAIT, () -> !onesignal().tags(APP, user).isEmpty());
        assertEquals(Map.of("first_name", "Peter", "last_name", "Gibbons", "plan", "premium", "logins", "5", "vip", "true"),
                onesignal().tags(APP, user));
        await("the dropped address counted", WAIT, () -> stats().getDropped().getOrDefault("nested_value", 0L) >= 1);

        // a later blank value deletes the tag
        assertEquals(200, webhook(identify(user, "{\"plan\":\"\"}")).statusCode());
        await("plan deleted", WAIT, () -> !onesignal().tags(APP, user).containsKey("plan"));
    }

    @Test
    void refusesUnsignedOrMissignedWebhooksAndAppliesNothing() throws Exception {
        String user = newUser();
        String body = identify(user, "{\"plan\":\"pro\"}");
        HttpResponse<String> unsigned = hub.post("/segment/webhook", body, Map.of());
        assertEquals(401, unsigned.statusCode());
        assertTrue(unsigned.body().contains("X-Signature"), unsigned.body());
        HttpResponse<String> wrong = hub.post("/segment/webhook", body, Map.of("X-Signature", "00ff"));
        assertEquals(401, wrong.statusCode());
        // signed for another body
        String other = HexFormat.of().formatHex(SIGNER.sign(identify(user, "{}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(401, hub.post("/segment/webhook", body, Map.of("X-Signature", other)).statusCode());

        // a batch signed for its first message only, with a message appended: the signature alone does not take it
        String batch = "[" + identify(user, "{\"plan\":\"pro\"}") + "," + identify(user, "{\"plan\":\"stolen\"}") + "]";
        String firstOnly = HexFormat.of().formatHex(SIGNER.sign(firstElementOrAll(batch).getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> appended = hub.post("/segment/webhook", batch, Map.of("X-Signature", firstOnly));
        assertEquals(401, appended.statusCode(), appended.body());
        assertTrue(appended.body().contains("first message of a batch"), appended.body());

        // an Actions batch with one bad message is refused whole, each problem named
        HttpResponse<String> bad = webhook("[" + identify(user, "{\"plan\":\"pro\"}") + ",{\"type\":\"track\",\"userId\":\"x\"},"
                + "{\"type\":\"launch\"}]");
        assertEquals(400, bad.statusCode());
        JsonNode problems = Json.MAPPER.readTree(bad.body()).path("problems");
        assertEquals(3, problems.size(), bad.body());
        assertEquals(400, webhook("{not json").statusCode());

        // a good message afterwards goes through: nothing before it was applied
        assertEquals(200, webhook(identify(user, "{\"marker\":\"1\"}")).statusCode());
        await("the marker tag", WAIT, () -> onesignal().tags(APP, user).containsKey("marker"));
        assertEquals(Map.of("marker", "1"), onesignal().tags(APP, user));
    }

    @Test
    void segmentsJavaSdkDeliversIdentifyAndTrackThroughTheTrackingApi() throws Exception {
        String user = newUser();
        Analytics analytics = Analytics.builder(TestHub.SEGMENT_WRITE_KEY).endpoint(hub.baseUrl()).flushQueueSize(10).build();
        try {
            analytics.enqueue(IdentifyMessage.builder().userId(user).traits(Map.of("firstName", "Ada", "plan", "gold")));
            analytics.enqueue(TrackMessage.builder("Add to Cart").userId(user).properties(Map.of("brand", "Zara", "price", 12.5)));
            analytics.flush();
        } finally {
            analytics.shutdown();
        }
        await("the SDK's tags on " + user, WAIT, () -> onesignal().tags(APP, user).size() == 4);
        assertEquals(Map.of("first_name", "Ada", "plan", "gold", "brand", "Zara", "price", "12.5"), onesignal().tags(APP, user));
        await("the custom event", WAIT, () -> onesignal().customEvents(APP).stream()
                .anyMatch(e -> e.path("external_id").asText().equals(user)));
        JsonNode event = onesignal().customEvents(APP).stream().filter(e -> e.path("external_id").asText().equals(user))
                .findFirst().orElseThrow();
        assertEquals("Add to Cart", event.path("name").asText());
        assertEquals("Zara", event.path("properties").path("brand").asText());
        UUID.fromString(event.path("idempotency_key").asText());
    }

    @Test
    void trackingApiChecksTheWriteKeyAndSegmentsLimits() throws Exception {
        String user = newUser();
        String track = "{\"userId\":\"" + user + "\",\"event\":\"Signed Up\",\"properties\":{\"source\":\"ad\"}}";
        HttpResponse<String> noKey = hub.post("/v1/track", track, Map.of());
        assertEquals(401, noKey.statusCode());
        String basicWrong = "Basic " + java.util.Base64.getEncoder().encodeToString("wrong:".getBytes(StandardCharsets.UTF_8));
        assertEquals(401, hub.post("/v1/track", track, Map.of("Authorization", basicWrong)).statusCode());
        assertEquals(400, hub.post("/v1/track", "{\"writeKey\":\"" + TestHub.SEGMENT_WRITE_KEY + "\",", Map.of()).statusCode());
        String huge = "{\"writeKey\":\"" + TestHub.SEGMENT_WRITE_KEY + "\",\"userId\":\"" + user + "\",\"event\":\"Big\","
                + "\"properties\":{\"blob\":\"" + "x".repeat(33 * 1024) + "\"}}";
        HttpResponse<String> tooLarge = hub.post("/v1/track", huge, Map.of());
        assertEquals(400, tooLarge.statusCode());
        assertTrue(tooLarge.body().contains("32768"), tooLarge.body());
        assertEquals(404, hub.post("/v1/launch", track, Map.of()).statusCode());

        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((TestHub.SEGMENT_WRITE_KEY + ":")
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> ok = hub.post("/v1/track/", track, Map.of("Authorization", basic));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("{\"success\":true}", ok.body());
        HttpResponse<String> page = hub.post("/v1/page", "{\"writeKey\":\"" + TestHub.SEGMENT_WRITE_KEY
                + "\",\"userId\":\"" + user + "\",\"name\":\"Home\"}", Map.of());
        assertEquals(200, page.statusCode());
        await("the track's tag", WAIT, () -> "ad".equals(onesignal().tags(APP, user).get("source")));
        await("the page counted as ignored", WAIT, () -> stats().getDropped().getOrDefault("ignored_type", 0L) >= 1);
    }

    @Test
    void unknownUsersAreCountedNeverCreatedNorRetried() throws Exception {
        String stranger = "stranger-" + UUID.randomUUID();
        long before = stats().getUnmatchedUsers();
        String anonymous = "{\"type\":\"identify\",\"anonymousId\":\"anon-1\",\"traits\":{\"plan\":\"x\"}}";
        // device registration is off by default: an iOS push token creates nobody
        String fromIphone = identify(stranger, "{\"plan\":\"pro\"}").replaceFirst("}$", ",\"context\":{\"device\":{\"type\":\"ios\","
                + "\"token\":\"" + "ab".repeat(32) + "\"}}}");
        assertEquals(200, webhook("[" + fromIphone + "," + anonymous + "]").statusCode());
        await("the stranger counted as unmatched", WAIT, () -> stats().getUnmatchedUsers() == before + 1);
        assertNull(onesignal().tags(APP, stranger));
        await("the anonymous message counted", WAIT, () -> stats().getDropped().getOrDefault("no_user_id", 0L) >= 1);
        Thread.sleep(500);
        assertEquals(before + 1, stats().getUnmatchedUsers(), "a 404 is final, never retried");
    }

    @Test
    void tagsBeyondThePlanLimitAreDroppedFirstComeNamesAlwaysFit() throws Exception {
        String user = newUser();
        long droppedBefore = stats().getDropped().getOrDefault("tag_limit", 0L);
        StringBuilder traits = new StringBuilder("{");
        for (int i = 1; i <= 8; i++) {
            traits.append("\"t").append(i).append("\":\"v").append(i).append("\",");
        }
        traits.append("\"firstName\":\"Grace\",\"lastName\":\"Hopper\"}");
        assertEquals(200, webhook(identify(user, traits.toString())).statusCode());
        await("tags on " + user, WAIT, () -> !onesignal().tags(APP, user).isEmpty());
        assertEquals(Map.of("t1", "v1", "t2", "v2", "t3", "v3", "first_name", "Grace", "last_name", "Hopper"),
                onesignal().tags(APP, user));
        await("tag_limit counted", WAIT, () -> stats().getDropped().getOrDefault("tag_limit", 0L) == droppedBefore + 5);
    }

    @Test
    void updatesOfOneUserWaitingTogetherAreCoalescedIntoOnePatch() throws Exception {
        String user = newUser();
        int patchesBefore = onesignal().tagUpdates();
        long savedBefore = stats().getCoalescedRequestsSaved();
        String track = "{\"type\":\"track\",\"userId\":\"" + user + "\",\"event\":\"Viewed\",\"messageId\":\"" + UUID.randomUUID()
                + "\",\"properties\":{\"color\":\"red\",\"size\":\"M\"}}";
        String body = "[" + identify(user, "{\"plan\":\"basic\",\"color\":\"blue\"}") + "," + identify(user, "{\"plan\":\"pro\"}")
                + "," + track + "," + identify(user, "{\"size\":null}") + "]";
        assertEquals(200, webhook(body).statusCode());
        // the four records nearly always arrive in one poll (one PATCH, three saved); on a loaded machine Kafka
        // may hand them over in two: every update is then either its user's PATCH of a poll or coalesced into it
        await("every update sent or coalesced", WAIT, () -> onesignal().tagUpdates() - patchesBefore
                + stats().getCoalescedRequestsSaved() - savedBefore == 4);
        assertEquals(Map.of("plan", "pro", "color", "red"), onesignal().tags(APP, user), "later values win, deletions kept");
        assertTrue(stats().getCoalescedRequestsSaved() - savedBefore >= 1, "updates waiting together were coalesced");
        assertTrue(onesignal().tagUpdates() - patchesBefore < 4, "fewer PATCHes than updates");
    }

    @Test
    void audiencesCreateTheirSegmentOnceAndTagMembersOnEnterAndExit() throws Exception {
        String alice = newUser();
        String bob = newUser();
        String audience = "first_time_shopper_" + UUID.randomUUID().toString().substring(0, 6);
        String personas = "\"context\":{\"personas\":{\"computation_class\":\"audience\",\"computation_key\":\"" + audience
                + "\",\"computation_id\":\"aud_1\",\"space_id\":\"spa_1\"}}";
        String identifyEnter = "{\"type\":\"identify\",\"userId\":\"" + alice + "\",\"traits\":{\"" + audience
                + "\":true,\"total_orders\":1}," + personas + "}";
        String trackEnter = "{\"type\":\"track\",\"userId\":\"" + bob + "\",\"event\":\"Audience Entered\",\"messageId\":\"personas_"
                + UUID.randomUUID() + "\",\"properties\":{\"audience_key\":\"" + audience + "\",\"" + audience + "\":true}," + personas + "}";
        assertEquals(200, webhook("[" + identifyEnter + "," + trackEnter + "]").statusCode());

        await("both members", WAIT, () -> onesignal().members(APP, audience).size() == 2);
        assertEquals(1, onesignal().segments(APP).stream().filter(s -> s.name().equals(audience)).count());
        assertEquals("1", onesignal().tags(APP, alice).get("total_orders"), "identify-delivered audiences apply the other traits");
        assertEquals(Map.of(audience, "true"), onesignal().tags(APP, bob), "track-delivered audiences set only the audience tag");

        String trackExit = trackEnter.replace("Audience Entered", "Audience Exited").replace("\":true}", "\":false}")
                .replace("personas_", "personas_exit_");
        assertEquals(200, webhook(trackExit).statusCode());
        await("bob out of the audience", WAIT, () -> onesignal().members(APP, audience).equals(List.of(alice)));
        assertEquals(1, onesignal().segments(APP).stream().filter(s -> s.name().equals(audience)).count(), "created once");

        // a computed trait becomes a tag
        String computed = "{\"type\":\"track\",\"userId\":\"" + alice + "\",\"event\":\"Trait Computed\",\"properties\":"
                + "{\"trait_key\":\"total_revenue_180_days\",\"total_revenue_180_days\":450.0},\"context\":{\"personas\":"
                + "{\"computation_class\":\"trait\",\"computation_key\":\"total_revenue_180_days\"}}}";
        assertEquals(200, webhook(computed).statusCode());
        await("the computed trait", WAIT, () -> "450.0".equals(onesignal().tags(APP, alice).get("total_revenue_180_days")));
    }
}
