package io.signalhub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.signalhub.monitoring.DataInStats;
import io.signalhub.sandbox.OneSignalFake;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hub.onesignal.register-devices: Segment messages from iOS devices with a push token → the user's iOSPush
 * subscription in OneSignal's fake (the user created when OneSignal did not know it), then the tags.
 */
class DeviceRegistrationEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String APP = Sandbox.ONESIGNAL_APP_ID;
    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.onesignal.register-devices", "true");
        hub = TestHub.start(settings);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static DataInStats stats() {
        return hub.metrics().dataIn("onesignal");
    }

    private static String token() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    private static HttpResponse<String> send(String type, String user, String context, String payload) throws Exception {
        String body = "{\"writeKey\":\"" + TestHub.SEGMENT_WRITE_KEY + "\",\"userId\":\"" + user + "\",\"messageId\":\""
                + UUID.randomUUID() + "\",\"context\":" + context + "," + payload + "}";
        return hub.post("/v1/" + type, body, Map.of());
    }

    private static String ios(String token) {
        return "{\"device\":{\"type\":\"ios\",\"model\":\"iPhone14,2\",\"token\":\"" + token + "\"},"
                + "\"os\":{\"name\":\"iOS\",\"version\":\"17.1\"},\"app\":{\"version\":\"2.3.0\"}}";
    }

    @Test
    void anIosTokenBecomesThePushSubscriptionOfANewUserWhoThenGetsTheTags() throws Exception {
        String user = "new-" + UUID.randomUUID();
        String token = token();
        long before = stats().getDevicesRegistered();
        assertEquals(200, send("identify", user, ios(token), "\"traits\":{\"plan\":\"pro\"}").statusCode());
        await("the subscription", WAIT, () -> !FAKES.onesignal().subscriptions(APP, user).isEmpty());
        OneSignalFake.Subscription subscription = FAKES.onesignal().subscriptions(APP, user).get(0);
        assertEquals("iOSPush", subscription.type());
        assertEquals(token, subscription.token());
        assertEquals("iPhone14,2", subscription.deviceModel());
        assertEquals("17.1", subscription.deviceOs());
        await("the tags after it", WAIT, () -> "pro".equals(FAKES.onesignal().tags(APP, user).get("plan")));
        assertEquals(before + 1, stats().getDevicesRegistered());

        // the same device again: tags go, the registration does not
        assertEquals(200, send("track", user, ios(token), "\"event\":\"Opened\",\"properties\":{\"screen\":\"home\"}").statusCode());
        await("the track's tag", WAIT, () -> "home".equals(FAKES.onesignal().tags(APP, user).get("screen")));
        assertEquals(before + 1, stats().getDevicesRegistered(), "a device OneSignal took is not registered again");
        assertEquals(1, FAKES.onesignal().subscriptions(APP, user).size());
    }

    @Test
    void androidDevicesAndMalformedTokensAreNotRegisteredAndNobodyIsCreatedForThem() throws Exception {
        String android = "android-" + UUID.randomUUID();
        String malformed = "malformed-" + UUID.randomUUID();
        long invalid = stats().getDropped().getOrDefault("invalid_device_token", 0L);
        long unmatched = stats().getUnmatchedUsers();
        assertEquals(200, send("identify", android, "{\"device\":{\"type\":\"android\",\"token\":\"" + token() + "\"},"
                + "\"os\":{\"name\":\"Android\"}}", "\"traits\":{\"plan\":\"pro\"}").statusCode());
        assertEquals(200, send("identify", malformed, ios("not a token"), "\"traits\":{\"plan\":\"pro\"}").statusCode());
        await("the malformed token counted", WAIT, () -> stats().getDropped().getOrDefault("invalid_device_token", 0L) == invalid + 1);
        await("both users unmatched", WAIT, () -> stats().getUnmatchedUsers() == unmatched + 2);
        assertNull(FAKES.onesignal().tags(APP, android), "the guide's Segment path is for iOS only");
        assertNull(FAKES.onesignal().tags(APP, malformed));
    }

    @Test
    void aRefusedRegistrationIsDeadLetteredWithoutTheTokenInTheError() throws Exception {
        String user = "full-" + UUID.randomUUID();
        FAKES.onesignal().createUser(APP, user);
        FAKES.onesignal().perUserInterval(0);
        for (int i = 0; i < 20; i++) {
            // the user already holds OneSignal's 20 subscriptions (email addresses here)
            String seed = "{\"identity\":{\"external_id\":\"" + user + "\"},\"subscriptions\":[{\"type\":\"Email\",\"token\":\"u" + i
                    + "@example.com\"}]}";
            HttpResponse<String> seeded = HTTP.send(HttpRequest.newBuilder(URI.create(FAKES.onesignal().baseUrl() + "/apps/" + APP + "/users"))
                    .header("Authorization", "Key " + Sandbox.ONESIGNAL_API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(seed)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, seeded.statusCode(), seeded.body());
        }
        FAKES.onesignal().perUserInterval(1000);
        String token = token();
        long deadLettered = hub.metrics().destination("onesignal").getDeadLettered();
        assertEquals(200, send("identify", user, ios(token), "\"traits\":{\"plan\":\"pro\"}").statusCode());
        await("the registration dead-lettered", WAIT, () -> hub.metrics().destination("onesignal").getDeadLettered() > deadLettered);
        String error = hub.metrics().destination("onesignal").getLastError();
        assertTrue(error.contains("409"), error);
        assertFalse(error.contains(token), error);
        await("the tags still applied", WAIT, () -> "pro".equals(FAKES.onesignal().tags(APP, user).get("plan")));
        assertEquals(List.of(), FAKES.onesignal().subscriptions(APP, user).stream().filter(s -> s.token().equals(token)).toList());
    }
}
