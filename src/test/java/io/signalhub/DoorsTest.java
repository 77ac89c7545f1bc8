package io.signalhub;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import io.signalhub.monitoring.IngressStats;
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

    /** Sends a request's headers (and some of its body) on a raw socket and reads what comes back, waiting at most the timeout. */
    private static String rawRequest(TestHub hub, String head, String bodyPart, Duration timeout) throws Exception {
        URI base = URI.create(hub.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write((head + "\r\n\r\n" + bodyPart).getBytes(StandardCharsets.UTF_8));
            out.flush();
            byte[] answer = new byte[4096];
            int read = socket.getInputStream().read(answer);
            return read < 0 ? "" : new String(answer, 0, read, StandardCharsets.UTF_8);
        }
    }

    @Test
    void credentialsAndSizesAreRefusedBeforeTheBodyAndASlowBodyTimesOut() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.ingress.read-timeout-ms", "1500");
        try (TestHub hub = TestHub.start(settings)) {
            // 5 MB declared, not a byte of it sent: the answer comes all the same, so nothing was waited for or buffered
            String declared = "POST /onesignal/events HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 5000000";
            String noToken = rawRequest(hub, declared, "", Duration.ofSeconds(5));
            assertTrue(noToken.startsWith("HTTP/1.1 401"), noToken);
            assertTrue(noToken.contains("\"error\":\"unauthorized\""), noToken);
            String tooLarge = rawRequest(hub, declared + "\r\nAuthorization: Bearer " + TestHub.INGRESS_TOKEN, "", Duration.ofSeconds(5));
            assertTrue(tooLarge.startsWith("HTTP/1.1 413"), tooLarge);
            assertTrue(tooLarge.contains("at most 1048576"), tooLarge);
            String cohort = rawRequest(hub, declared.replace("/onesignal/events", "/mixpanel/cohorts"), "", Duration.ofSeconds(5));
            assertTrue(cohort.startsWith("HTTP/1.1 401") && cohort.contains("\"status\":\"failure\""), "Mixpanel's shape: " + cohort);
            String admin = rawRequest(hub, declared.replace("/onesignal/events", "/admin/dead-letters/replay")
                    + "\r\nAuthorization: Bearer " + TestHub.INGRESS_TOKEN, "", Duration.ofSeconds(5));
            assertTrue(admin.startsWith("HTTP/1.1 401"), "the ingress token opens no admin door: " + admin);
            String webhook = rawRequest(hub, declared.replace("/onesignal/events", "/segment/webhook"), "", Duration.ofSeconds(5));
            assertTrue(webhook.startsWith("HTTP/1.1 401") && webhook.contains("X-Signature is missing"), webhook);

            // the right token, 100 bytes declared, 10 sent: refused once the read timeout passes
            long started = System.nanoTime();
            String slow = rawRequest(hub, declared.replace("5000000", "100") + "\r\nAuthorization: Bearer " + TestHub.INGRESS_TOKEN,
                    "[{\"event\":", Duration.ofSeconds(10));
            long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertTrue(slow.startsWith("HTTP/1.1 408"), slow);
            assertTrue(waited >= 1400 && waited < 8000, waited + " ms");

            IngressStats ingress = hub.metrics().ingress("onesignal-events");
            assertEquals(1L, ingress.getRejected().get("unauthorized"));
            assertEquals(1L, ingress.getRejected().get("too_large"));
            assertEquals(1L, ingress.getRejected().get("timeout"));
            // and a whole request still goes through
            String event = "[" + DataOutEndToEndTest.flatEvent("door-9", "message.push.sent", "u9") + "]";
            assertEquals(202, hub.post("/onesignal/events", TestHub.INGRESS_TOKEN, event).statusCode());
        }
    }
}
