package io.signalhub;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTP ingress → real Kafka → the YAML routes → the vendor fakes over HTTP on loopback. */
class DataOutEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;




    static String flatEvent(String id, String kind, String externalId) {
        return "{\"event.kind\":\"" + kind + "\",\"event.id\":\"" + id + "\",\"event.timestamp\":\"1708559115\","
                + "\"event.subscription_device_type\":\"iOS\",\"event.subscription_id\":\"sub-" + id + "\","
                + "\"event.external_id\":\"" + externalId + "\",\"message.id\":\"msg-1\",\"message.name\":\"promo\","
                + "\"user.language\":\"en\"}";
    }

    static String batch(int from, int count) {
        List<String> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            events.add(flatEvent("event-" + i, "message.push.sent", "user-" + (i % 7)));
        }
        return "[" + String.join(",", events) + "]";
    }

    private static void awaitEverywhere(int events) throws InterruptedException {
        await(events + " events at Segment", WAIT, () -> FAKES.segment().accepted().size() >= events);
        await(events + " events at Amplitude", WAIT, () -> FAKES.amplitude().accepted().size() >= events);
        await(events + " events at Mixpanel", WAIT, () -> FAKES.mixpanel().accepted().size() >= events);
    }

    @Test
    void deliversFlatAndNestedEventsToEveryDestination() throws Exception {
        // a service account good enough for the cohort sync but not for /import: the project token carries the events
        FAKES.mixpanel().serviceAccountRole("analyst");
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            String nested = "{\"event\":{\"kind\":\"message.iam.displayed\",\"id\":\"nested-1\",\"timestamp\":1708559115,"
                    + "\"subscription_id\":\"sub-n\",\"external_id\":\"\"},\"message\":{\"id\":\"m2\"}}";
            String liveActivity = "{\"event.kind\":\"message.live_activity.sent\",\"event.id\":\"la-1\"}";
            HttpResponse<String> response = hub.postEvents(
                    "[" + flatEvent("flat-1", "message.push.clicked", "user_12345") + "," + nested + "," + liveActivity + "]");
            assertEquals(202, response.statusCode(), response.body());
            assertEquals("{\"accepted\":2,\"ignored\":1}", response.body());
            // OneSignal's docs' example body (dotted keys grouped in two objects), by PUT, a stream's other method;
            // beside it a kind OneSignal may add later: accepted, counted by kind, forwarded nowhere
            String docsExample = "{\"Event Data\":{\"event.kind\":\"message.push.clicked\",\"event.id\":\"grouped-1\","
                    + "\"event.timestamp\":\"1708559115\",\"event.subscription_id\":\"sub-g\",\"event.external_id\":\"user_g\","
                    + "\"event.data.failure_reason\":\"\"},\"Message Data\":{\"message.id\":\"m3\","
                    + "\"message.name\":\"weekly-promo-push\",\"message.title\":\"{'en':'Flash Sale','de':'Ausverkauf'}\","
                    + "\"message.url\":\"https://shop.example/sale\"}}";
            String failedEmail = "{\"Event Data\":{\"event.kind\":\"message.email.failed\",\"event.id\":\"grouped-2\","
                    + "\"event.subscription_id\":\"sub-e\",\"event.external_id\":\"user_e\",\"event.data.failure_reason\":\"Mailbox full\"},"
                    + "\"Message Data\":{\"message.title\":\"Ihre Rechnung über 10 € 🧾\"}}";
            String laterKind = "{\"event.kind\":\"message.push.snoozed\",\"event.id\":\"later-1\"}";
            HttpResponse<String> put = hub.send("PUT", "/onesignal/events", "[" + docsExample + "," + failedEmail + "," + laterKind + "]",
                    Map.of("Authorization", "Bearer " + TestHub.INGRESS_TOKEN));
            assertEquals(202, put.statusCode(), put.body());
            assertEquals("{\"accepted\":2,\"ignored\":1}", put.body());

            awaitEverywhere(4);
            Map<String, JsonNode> segment = byField(FAKES.segment().accepted(), "messageId");
            assertEquals("Push Clicked", segment.get("flat-1").path("event").asText());
            assertEquals("user_12345", segment.get("flat-1").path("userId").asText());
            assertEquals("In-App Message Displayed", segment.get("nested-1").path("event").asText());
            assertEquals("sub-n", segment.get("nested-1").path("anonymousId").asText());
            assertTrue(segment.get("nested-1").path("userId").isMissingNode());

            Map<String, JsonNode> amplitude = byField(FAKES.amplitude().accepted(), "insert_id");
            assertEquals("[OneSignal] IAM Displayed", amplitude.get("nested-1").path("event_type").asText());
            assertEquals(1708559115000L, amplitude.get("flat-1").path("time").asLong());

            Map<String, JsonNode> mixpanel = FAKES.mixpanel().accepted().stream()
                    .collect(Collectors.toMap(e -> e.path("properties").path("$insert_id").asText(), e -> e));
            assertEquals("$app_open", mixpanel.get("flat-1").path("event").asText());
            assertEquals("$campaign_delivery", mixpanel.get("nested-1").path("event").asText());
            assertEquals("sub-n", mixpanel.get("nested-1").path("properties").path("distinct_id").asText());

            JsonNode clicked = segment.get("grouped-1").path("properties");
            assertEquals("Flash Sale", clicked.path("message_title").asText());
            assertEquals("https://shop.example/sale", clicked.path("url").asText());
            assertTrue(clicked.path("failure_reason").isMissingNode(), "a blank field is no property");
            assertEquals("Mailbox full", segment.get("grouped-2").path("properties").path("failure_reason").asText());
            assertEquals("Mailbox full", amplitude.get("grouped-2").path("event_properties").path("Failure Reason").asText());
            // text beyond ASCII arrives as sent: Data Out reads each record's UTF-8 bytes itself
            assertEquals("Ihre Rechnung über 10 € 🧾", amplitude.get("grouped-2").path("event_properties").path("Message Title").asText());
            assertEquals("https://shop.example/sale", mixpanel.get("grouped-1").path("properties").path("url").asText());

            assertEquals(2, hub.metrics().ingress("onesignal-events").getIgnored());
            assertEquals(Map.of("message.live_activity.sent", 1L, "message.push.snoozed", 1L),
                    hub.metrics().ingress("onesignal-events").getIgnoredByKind());
        }
    }

    @Test
    void refusesBadInputWholeWithEveryProblemNamed() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            HttpResponse<String> unparseable = hub.postEvents("{\"event.kind\":");
            assertEquals(400, unparseable.statusCode());
            assertTrue(unparseable.body().contains("not valid JSON"), unparseable.body());

            HttpResponse<String> mixed = hub.postEvents("[" + flatEvent("good-1", "message.push.sent", "u1")
                    + ",{\"event.id\":\"x\"},{\"event.kind\":\"message.push.exploded\"},"
                    + "{\"event.kind\":\"message.push.sent\",\"event.id\":{\"id\":\"x\"}}]");
            assertEquals(400, mixed.statusCode());
            JsonNode problems = Json.MAPPER.readTree(mixed.body()).path("problems");
            assertEquals(List.of("events[1]: missing event.kind", "events[2]: missing event.id",
                    "events[3]: event.id must be a string, not an object"),
                    toList(problems));

            assertEquals(401, hub.post("/onesignal/events", "wrong-token", flatEvent("a", "message.push.sent", "u")).statusCode());
            HttpResponse<String> noAuth = hub.post("/onesignal/events", null, flatEvent("a", "message.push.sent", "u"));
            assertEquals(401, noAuth.statusCode());
            assertTrue(!noAuth.body().contains(TestHub.INGRESS_TOKEN));

            String huge = flatEvent("big", "message.push.sent", "u").replace("\"promo\"", "\"" + "x".repeat(1_100_000) + "\"");
            HttpResponse<String> tooLarge = hub.postEvents(huge);
            assertEquals(413, tooLarge.statusCode(), tooLarge.body());

            assertEquals(401, hub.post("/admin/dead-letters/replay", TestHub.INGRESS_TOKEN, "").statusCode());

            // nothing of the refused batch was accepted: only the next good event arrives
            assertEquals(202, hub.postEvents(flatEvent("after", "message.push.sent", "u1")).statusCode());
            awaitEverywhere(1);
            Thread.sleep(500);
            assertEquals(List.of("after"), FAKES.segment().accepted().stream().map(e -> e.path("messageId").asText()).toList());
            Map<String, Long> rejected = hub.metrics().ingress("onesignal-events").getRejected();
            assertEquals(2L, rejected.get("unauthorized"));
            assertEquals(2L, rejected.get("invalid"));
            assertEquals(1L, rejected.get("too_large"));
        }
    }

    @Test
    void deliversARedeliveredEventIdOnce() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            String event = flatEvent("same-id", "message.email.opened", "u1");
            for (int i = 0; i < 3; i++) {
                assertEquals(202, hub.postEvents(event).statusCode());
                Thread.sleep(300);
            }
            assertEquals(202, hub.postEvents(flatEvent("sentinel", "message.email.opened", "u2")).statusCode());
            awaitEverywhere(2);
            Thread.sleep(500);
            assertEquals(2, FAKES.segment().eventsSent(), "Segment was sent the duplicate");
            assertEquals(2, FAKES.amplitude().eventsSent(), "Amplitude was sent the duplicate");
            assertEquals(2, FAKES.mixpanel().eventsSent(), "Mixpanel was sent the duplicate");
            for (String destination : List.of("segment", "amplitude", "mixpanel")) {
                assertEquals(2, hub.metrics().destination(destination).getDuplicates(), destination);
            }
        }
    }

    @Test
    void retriesAFailingDestinationUntilItRecovers() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            FAKES.segment().failNext(6, 500, null);
            FAKES.mixpanel().failNext(2, 429, 1);
            FAKES.amplitude().failNext(2, 503, null);
            for (int i = 0; i < 5; i++) {
                assertEquals(202, hub.postEvents(batch(i * 10, 10)).statusCode());
            }
            awaitEverywhere(50);
            assertEquals(50, FAKES.segment().accepted().size());
            assertTrue(hub.metrics().destination("segment").getRetried() >= 6);
            assertTrue(hub.metrics().destination("mixpanel").getThrottled() >= 1);
            assertTrue(hub.metrics().destination("segment").getLastError().contains("HTTP 500"));
            assertEquals(0, hub.metrics().destination("segment").getDeadLettered());
        }
    }

    @Test
    void aDestinationDownPastEveryRetryMakesThePartitionWaitNotSkip() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.delivery.max-redeliveries", "2");
        try (TestHub hub = TestHub.start(settings)) {
            FAKES.amplitude().failNext(40, 502, null);
            assertEquals(202, hub.postEvents(batch(0, 20)).statusCode());
            await("the outage to pass", WAIT, () -> FAKES.amplitude().requests() >= 40);
            awaitEverywhere(20);
            assertEquals(20, FAKES.amplitude().accepted().size());
        }
    }

    @Test
    void readinessGoesDownWhileADestinationIsStuckAndUpWhenItRecovers() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.health.stuck-after-seconds", "1");
        try (TestHub hub = TestHub.start(settings)) {
            assertEquals(200, health(hub).statusCode());
            FAKES.segment().failNext(100_000, 503, null);
            assertEquals(202, hub.postEvents(batch(0, 5)).statusCode());
            await("readiness DOWN", WAIT, () -> health(hub).statusCode() == 503);
            HttpResponse<String> down = health(hub);
            assertTrue(down.body().contains("segment failing for") && down.body().contains("Segment answered HTTP 503"), down.body());
            assertTrue(!down.body().contains("Internal Server Error"), "the vendor's answer stays out of the health check: " + down.body());
            assertEquals(202, hub.postEvents(batch(5, 5)).statusCode(), "the ingress keeps taking events");

            FAKES.segment().recover();
            await("readiness UP again", WAIT, () -> health(hub).statusCode() == 200);
            awaitEverywhere(10);
        }
    }

    private static HttpResponse<String> health(TestHub hub) {
        return hub.get("management:/observe/health", null);
    }

    @Test
    void restartingTheHubMidStreamLosesNothing() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        FAKES.segment().failNext(100_000, 503, null);
        try (TestHub first = TestHub.start(settings)) {
            for (int i = 0; i < 20; i++) {
                assertEquals(202, first.postEvents(batch(i * 10, 10)).statusCode());
            }
            await("Segment to be tried", WAIT, () -> FAKES.segment().requests() > 0);
        }
        FAKES.segment().recover();
        try (TestHub second = TestHub.start(settings)) {
            awaitEverywhere(200);
            assertEquals(200, FAKES.segment().accepted().size());
            assertEquals(200, FAKES.amplitude().accepted().size());
        }
    }

    @Test
    void deadLettersExactlyTheRecordsMixpanelRefusesAndReplaysThem() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            // Mixpanel refuses times before 1971; Segment and Amplitude take them
            String ancient = flatEvent("ancient", "message.sms.sent", "u1").replace("\"1708559115\"", "1000");
            assertEquals(202, hub.postEvents("[" + ancient + "," + flatEvent("fine", "message.sms.sent", "u2") + "]").statusCode());
            awaitEverywhere(1);
            await("the dead letter", WAIT, () -> hub.metrics().destination("mixpanel").getDeadLettered() == 1);
            assertEquals(1, FAKES.mixpanel().accepted().size());
            // each destination reads at its own pace: Segment takes both, in its own time
            await("both events at Segment", WAIT, () -> FAKES.segment().accepted().size() == 2);
            int segmentSent = FAKES.segment().eventsSent();

            HttpResponse<String> unknown = hub.post("/admin/dead-letters/replay?destination=nope", TestHub.ADMIN_TOKEN, "");
            assertEquals(400, unknown.statusCode());
            HttpResponse<String> replay = hub.post("/admin/dead-letters/replay?destination=mixpanel", TestHub.ADMIN_TOKEN, "");
            assertEquals(200, replay.statusCode(), replay.body());
            assertEquals("{\"replayed\":1}", replay.body());
            // the replayed record goes to Mixpanel only, which refuses it again
            await("the second dead letter", WAIT, () -> hub.metrics().destination("mixpanel").getDeadLettered() == 2);
            assertEquals(segmentSent, FAKES.segment().eventsSent());
            // Segment refused nothing: nothing of its own to replay
            assertEquals("{\"replayed\":0}", hub.post("/admin/dead-letters/replay?destination=segment", TestHub.ADMIN_TOKEN, "").body());
        }
    }

    @Test
    void aRequestMixpanelFindsTooLargeGoesAgainInHalvesAndOnlyAnEventTooLargeAloneIsDeadLettered() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            FAKES.mixpanel().maxRequestBytes(4_000);
            String huge = flatEvent("huge", "message.sms.sent", "u1").replace("\"message.name\":", "\"message.contents\":\""
                    + "x".repeat(5_000) + "\",\"message.name\":");
            assertEquals(202, hub.postEvents(batch(0, 40).replaceFirst("]$", "," + huge + "]")).statusCode());
            await("every event but the huge one at Mixpanel", WAIT, () -> FAKES.mixpanel().accepted().size() == 40
                    && hub.metrics().destination("mixpanel").getDeadLettered() == 1);
            assertEquals(Map.of("http_413", 1L), hub.metrics().destination("mixpanel").getDeadLetteredByReason());
            assertEquals(40, FAKES.mixpanel().accepted().stream().map(e -> e.path("properties").path("$insert_id").asText())
                    .distinct().count(), "each once");
            assertTrue(FAKES.mixpanel().requests() >= 7, "41 events in pieces under 4 KB: " + FAKES.mixpanel().requests());
            // the other destinations took the huge event too
            await("41 events at Segment", WAIT, () -> FAKES.segment().accepted().size() == 41);
            await("41 events at Amplitude", WAIT, () -> FAKES.amplitude().accepted().size() == 41);
        }
    }

    private static Map<String, JsonNode> byField(List<JsonNode> events, String field) {
        return events.stream().collect(Collectors.toMap(e -> e.path(field).asText(), e -> e));
    }

    private static List<String> toList(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    @Test
    void aPausedDestinationWaitsInKafkaWhileTheOthersGoOnAndCatchesUpOnResume() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName segment = new ObjectName("io.signalhub:context=" + ObjectName.quote(hub.contextName())
                    + ",type=DestinationControl,name=" + ObjectName.quote("segment"));
            jmx.invoke(segment, "pause", null, null);
            assertEquals(true, jmx.getAttribute(segment, "Paused"));
            assertEquals(202, hub.postEvents(batch(0, 100)).statusCode());
            await("100 events at Amplitude", WAIT, () -> FAKES.amplitude().accepted().size() == 100);
            await("100 events at Mixpanel", WAIT, () -> FAKES.mixpanel().accepted().size() == 100);
            // the paused destination's consumer is suspended: its lag grows, nothing is set aside elsewhere
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (hub.metrics().destination("segment").getLagRecords() != 100 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0, FAKES.segment().requests(), "nothing sent to a paused destination");
            assertEquals(100, hub.metrics().destination("segment").getLagRecords(), "Segment's lag");

            HttpResponse<String> resumed = hub.post("/admin/destinations/segment/resume", TestHub.ADMIN_TOKEN, "");
            assertEquals(200, resumed.statusCode(), resumed.body());
            assertEquals(false, jmx.getAttribute(segment, "Paused"));
            awaitEverywhere(100);
            assertEquals(100, byField(FAKES.segment().accepted(), "messageId").size());
            assertEquals(100, FAKES.amplitude().accepted().size(), "the other destinations were not sent anything again");
            assertEquals(100, FAKES.mixpanel().accepted().size());
            await("Segment caught up", WAIT, () -> hub.metrics().destination("segment").getLagRecords() == 0);
        }
    }

    @Test
    void rewindDeliversEverythingSinceATimeToOneDestinationOnly() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            assertEquals(202, hub.postEvents(batch(0, 20)).statusCode());
            awaitEverywhere(20);
            Thread.sleep(1100);
            java.time.Instant since = java.time.Instant.now();
            Thread.sleep(100);
            assertEquals(202, hub.postEvents(batch(20, 30)).statusCode());
            awaitEverywhere(50);
            int mixpanelSent = FAKES.mixpanel().eventsSent();
            int segmentSent = FAKES.segment().eventsSent();

            assertEquals(400, hub.post("/admin/destinations/amplitude/rewind?since=yesterday", TestHub.ADMIN_TOKEN, "").statusCode());
            assertEquals(401, hub.post("/admin/destinations/amplitude/rewind?since=" + since, TestHub.INGRESS_TOKEN, "").statusCode());
            HttpResponse<String> rewound = hub.post("/admin/destinations/amplitude/rewind?since=" + since, TestHub.ADMIN_TOKEN, "");
            assertEquals(200, rewound.statusCode(), rewound.body());
            assertEquals(30, Json.MAPPER.readTree(rewound.body()).path("records").asInt(), rewound.body());
            await("the 30 events since then sent to Amplitude again", WAIT, () -> FAKES.amplitude().eventsSent() >= 80);
            Thread.sleep(1000);
            assertEquals(80, FAKES.amplitude().eventsSent(), "exactly the events since the time went again");
            assertEquals(50, FAKES.amplitude().accepted().size(), "Amplitude's insert_id dedup absorbs them");
            assertEquals(mixpanelSent, FAKES.mixpanel().eventsSent(), "the other destinations were not rewound");
            assertEquals(segmentSent, FAKES.segment().eventsSent());
        }
    }
}
