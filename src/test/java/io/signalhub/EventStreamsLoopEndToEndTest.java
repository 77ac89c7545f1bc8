package io.signalhub;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.sandbox.EventStreamsEmitter;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole loop as the sandbox runs it: a Segment track matches a trigger → the hub's Create message at the
 * OneSignal fake → its Event Streams (one event a request, the configured template) → the hub's ingress →
 * Data Out to Segment, Amplitude and Mixpanel.
 */
class EventStreamsLoopEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String APP = Sandbox.ONESIGNAL_APP_ID;
    /** OneSignal's docs' example body: the dotted keys grouped in two objects. */
    private static final String GROUPED_TEMPLATE = "{\"Event Data\":{\"event.kind\":\"{{ event.kind }}\",\"event.id\":\"{{ event.id }}\","
            + "\"event.timestamp\":\"{{ event.timestamp }}\",\"event.subscription_id\":\"{{ event.subscription_id }}\","
            + "\"event.external_id\":\"{{ event.external_id }}\",\"event.data.failure_reason\":\"{{ event.data.failure_reason }}\"},"
            + "\"Message Data\":{\"message.id\":\"{{ message.id }}\",\"message.name\":\"{{ message.name }}\",\"message.title\":\"{{ message.title }}\"}}";
    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;

    @Test
    void aTriggeredNotificationsMessageEventsReachEveryAnalyticsDestination() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        Path triggers = Files.createTempFile("triggers", ".yaml");
        Files.writeString(triggers, "triggers:\n  - name: thanks\n    when: {event: \"Order Completed\"}\n    send:\n"
                + "      name: order-thanks\n      headings: {en: \"Thank you\", de: \"Danke\"}\n      contents: {en: \"Your order is on its way\"}\n");
        settings.put("hub.triggers.file", triggers.toString());
        FAKES.seedUsers();
        try (TestHub hub = TestHub.start(settings);
             EventStreamsEmitter documented = emitter(hub, "POST", EventStreamsEmitter.DOCUMENTED_TEMPLATE)) {
            FAKES.onesignal().streamEventsTo(documented);
            String track = "{\"writeKey\":\"" + TestHub.SEGMENT_WRITE_KEY + "\",\"userId\":\"user-1\",\"messageId\":\"m-1\","
                    + "\"event\":\"Order Completed\"}";
            assertEquals(200, hub.post("/v1/track", track, Map.of()).statusCode());
            await("sent and received at Segment", WAIT, () -> FAKES.segment().accepted().size() == 2);
            await("at Amplitude", WAIT, () -> FAKES.amplitude().accepted().size() == 2);
            await("at Mixpanel", WAIT, () -> FAKES.mixpanel().accepted().size() == 2);
            String notification = FAKES.onesignal().notifications(APP).get(0).id();
            List<String> names = FAKES.segment().accepted().stream().map(e -> e.path("event").asText()).sorted().toList();
            assertEquals(List.of("Push Received", "Push Sent"), names);
            JsonNode sent = FAKES.segment().accepted().get(0);
            assertEquals("user-1", sent.path("userId").asText());
            assertEquals(notification, sent.path("properties").path("messageId").asText());
            assertEquals("order-thanks", sent.path("properties").path("message_name").asText());
            assertEquals("Thank you", sent.path("properties").path("message_title").asText(), "the rendered dict read as English text");
            assertEquals(List.of("$campaign_delivery", "$campaign_received"), FAKES.mixpanel().accepted().stream()
                    .map(e -> e.path("event").asText()).sorted().toList());

            // the docs' grouped example body, by PUT
            try (EventStreamsEmitter grouped = emitter(hub, "PUT", GROUPED_TEMPLATE)) {
                FAKES.onesignal().streamEventsTo(grouped);
                assertEquals(200, hub.post("/v1/track", track.replace("m-1", "m-2"), Map.of()).statusCode());
                await("two more events at Segment", WAIT, () -> FAKES.segment().accepted().size() == 4);
                assertEquals(2, grouped.delivered().size());
                assertTrue(FAKES.segment().accepted().stream().allMatch(e -> e.path("userId").asText().equals("user-1")));
            }
        }
    }

    private static EventStreamsEmitter emitter(TestHub hub, String method, String template) {
        return new EventStreamsEmitter(URI.create(hub.baseUrl() + "/onesignal/events"), method,
                Map.of("Authorization", "Bearer " + TestHub.INGRESS_TOKEN), template, 4, 200, 25);
    }
}
