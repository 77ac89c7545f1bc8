package io.signalhub;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;

import io.signalhub.sandbox.Sandbox;
import io.signalhub.vendors.segment.WebhookSignature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One credential per door: the token typed into OneSignal's dashboard opens Event Streams and nothing else. */
class DoorsTest {

    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;

    @Test
    void eachIngressTakesItsOwnTokenAndOnlyIt() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.ingress.onesignal.token", "event-streams-token");
        settings.put("hub.ingress.cohorts.token", "cohorts-token");
        settings.put("hub.ingress.segment.token", "segment-token");
        settings.put("hub.ingress.segment.shared-secret", "");
        try (TestHub hub = TestHub.start(settings)) {
            String event = "[" + DataOutEndToEndTest.flatEvent("door-1", "message.push.sent", "u1") + "]";
            assertEquals(202, hub.post("/onesignal/events", "event-streams-token", event).statusCode());
            assertEquals(401, hub.post("/onesignal/events", TestHub.INGRESS_TOKEN, event).statusCode(), "the shared token no longer opens it");
            assertEquals(401, hub.post("/onesignal/events", "cohorts-token", event).statusCode());
            // an event of an app this hub does not serve: the whole body refused, the app named, counted
            String ours = event.replace("\"event.kind\"", "\"event.app_id\":\"" + Sandbox.ONESIGNAL_APP_ID + "\",\"event.kind\"");
            assertEquals(202, hub.post("/onesignal/events", "event-streams-token", ours.replace("door-1", "door-2")).statusCode());
            String foreign = event.replace("\"event.kind\"", "\"event.app_id\":\"someone-elses-app\",\"event.kind\"")
                    .replace("door-1", "door-3");
            HttpResponse<String> refused = hub.post("/onesignal/events", "event-streams-token", foreign);
            assertEquals(403, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("someone-elses-app"), refused.body());
            assertEquals(1L, hub.metrics().ingress("onesignal-events").getRejected().get("unknown_app"));

            String push = "{\"cohort_id\":\"c1\",\"cohort_name\":\"C\",\"in_cohort\":true,\"message_id\":\"m1\",\"users\":[{\"user_id\":\"u1\"}]}";
            assertEquals(200, hub.post("/amplitude/cohorts", "cohorts-token", push).statusCode());
            assertEquals(401, hub.post("/amplitude/cohorts", "event-streams-token", push).statusCode());

            String identify = "{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"d-1\",\"traits\":{\"plan\":\"pro\"}}";
            assertEquals(200, hub.post("/segment/webhook", "segment-token", identify).statusCode());
            assertEquals(401, hub.post("/segment/webhook", "event-streams-token", identify).statusCode());
        }
    }

    @Test
    void eachAppsSegmentWebhookOpensWithItsOwnCredentialsOnly() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.ingress.segment.shared-secret", "");
        settings.put("hub.onesignal.apps", "shop,blog,news");
        for (String app : new String[] {"shop", "blog", "news"}) {
            FAKES.onesignal().addApp(app + "-app-id", app + "-api-key");
            settings.put("hub.onesignal.apps." + app + ".app-id", app + "-app-id");
            settings.put("hub.onesignal.apps." + app + ".api-key", app + "-api-key");
        }
        settings.put("hub.onesignal.apps.shop.segment-token", "shop-token");
        settings.put("hub.onesignal.apps.blog.segment-shared-secret", "blog-secret");
        try (TestHub hub = TestHub.start(settings)) {
            String identify = "{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"d-2\",\"traits\":{\"plan\":\"pro\"}}";
            assertEquals(200, hub.post("/segment/webhook/shop", "shop-token", identify).statusCode());
            HttpResponse<String> shared = hub.post("/segment/webhook/shop", TestHub.INGRESS_TOKEN, identify);
            assertEquals(401, shared.statusCode(), "the shared token no longer opens the shop's door");
            assertEquals(401, hub.post("/segment/webhook", "shop-token", identify).statusCode(), "nor the shop's token another");
            assertEquals(401, hub.post("/segment/webhook/news", "shop-token", identify).statusCode());
            assertEquals(200, hub.post("/segment/webhook/news", TestHub.INGRESS_TOKEN, identify).statusCode(), "no door of its own");

            String signature = HexFormat.of().formatHex(new WebhookSignature("blog-secret").sign(identify.getBytes(StandardCharsets.UTF_8)));
            assertEquals(200, hub.post("/segment/webhook/blog", identify, Map.of("X-Signature", signature)).statusCode());
            HttpResponse<String> unsigned = hub.post("/segment/webhook/blog", TestHub.INGRESS_TOKEN, identify);
            assertEquals(401, unsigned.statusCode());
            assertTrue(unsigned.body().contains("hub.onesignal.apps.blog.segment-shared-secret"), unsigned.body());
            assertEquals(401, hub.post("/segment/webhook", identify, Map.of("X-Signature", signature)).statusCode(),
                    "the blog's secret signs for the blog only");
            // a signed Actions batch (signed as its first message): the others need the door's token (here the Segment door's)
            String batch = "[" + identify + "," + identify.replace("d-2", "d-3") + "]";
            HttpResponse<String> signedOnly = hub.post("/segment/webhook/blog", batch, Map.of("X-Signature", signature));
            assertEquals(401, signedOnly.statusCode(), signedOnly.body());
            assertEquals(200, hub.post("/segment/webhook/blog", batch, Map.of("X-Signature", signature,
                    "Authorization", "Bearer " + TestHub.INGRESS_TOKEN)).statusCode());
        }
    }
}
