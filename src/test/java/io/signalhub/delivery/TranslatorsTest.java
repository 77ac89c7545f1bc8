package io.signalhub.delivery;

import io.signalhub.vendors.amplitude.Amplitude;
import io.signalhub.vendors.mixpanel.Mixpanel;
import io.signalhub.vendors.segment.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.eventstreams.EventKinds;
import io.signalhub.eventstreams.OneSignalEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vendor translators and request batching, with the shipped name tables of config/event-names. */
class TranslatorsTest {

    private static final Instant NOW = Instant.parse("2024-02-21T23:45:16Z");
    private final AtomicReference<Instant> clock = new AtomicReference<>(NOW);
    private final Segment segment = new Segment("wk", clock::get);
    private final Amplitude amplitude = new Amplitude("ak", 1, 30_000);
    private final Mixpanel mixpanel = new Mixpanel("pt", null, null);

    static OneSignalEvent event(String id, String kind, String externalId, String subscriptionId) {
        return new OneSignalEvent(kind, id, 1708559115228L, "app", "iOS", subscriptionId, "os-1", externalId, Map.of(),
                "msg-1", "promo", "{'en':'Sale'}", "{'en':'Shop'}", "tpl-1", "en");
    }

    static EventNames table(String destination, String enabled) throws Exception {
        return EventNames.of(EventNames.load(Path.of("config/event-names/" + destination + ".properties")), enabled);
    }

    private static Map<String, String> translateAll(Vendor vendor, EventNames names, String field) {
        Map<String, String> byKind = new LinkedHashMap<>();
        for (String kind : names.kinds()) {
            ObjectNode item = item(vendor, event("e", kind, "u1", "s1"), names.nameOf(kind));
            byKind.put(kind, item.path(field).asText());
        }
        return byKind;
    }

    @Test
    void segmentNamesEverySeedKindAndSendsOnlyThoseByDefault() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("message.push.sent", "Push Sent");
        expected.put("message.push.received", "Push Received");
        expected.put("message.push.clicked", "Push Clicked");
        expected.put("message.iam.impression", "In-App Message Displayed");
        expected.put("message.iam.clicked", "In-App Message Clicked");
        expected.put("message.iam.page_displayed", "In-App Message Page Displayed");
        expected.put("message.email.sent", "Email Sent");
        expected.put("message.email.opened", "Email Opened");
        expected.put("message.email.unsubscribed", "Email Unsubscribed");
        expected.put("message.email.received", "Email Received");
        expected.put("message.email.reported_as_spam", "Email Reported As Spam");
        expected.put("message.email.bounced", "Email Hardbounced");
        expected.put("message.email.failed", "Email Failed");
        expected.put("message.sms.sent", "SMS Sent");
        expected.put("message.sms.delivered", "SMS Delivered");
        expected.put("message.sms.failed", "SMS Failed");
        EventNames defaults = table("segment", String.join(",", expected.keySet()));
        assertEquals(expected, translateAll(segment, defaults, "event"));
        assertFalse(defaults.isEnabled("message.push.failed"));
        assertEquals("Email Link Clicked", table("segment", "message.email.clicked").nameOf("message.email.clicked"));
    }

    @Test
    void amplitudeNamesEveryMessageKind() throws Exception {
        EventNames all = table("amplitude", "all");
        assertEquals(Set.copyOf(EventKinds.MESSAGE_KINDS), all.kinds());
        Map<String, String> names = translateAll(amplitude, all, "event_type");
        assertEquals("[OneSignal] Push Confirmed delivery", names.get("message.push.received"));
        assertEquals("[OneSignal] IAM Displayed", names.get("message.iam.impression"));
        assertEquals("[OneSignal] Email Hard Bounced", names.get("message.email.bounced"));
        assertEquals("[OneSignal] Email Not delivering to suppressed email address", names.get("message.email.suppressed"));
        assertEquals("[OneSignal] SMS Confirmed delivery", names.get("message.sms.delivered"));
        assertEquals("[OneSignal] SMS Undelivered", names.get("message.sms.undelivered"));
        names.values().forEach(n -> assertTrue(n.startsWith("[OneSignal] "), n));
    }

    @Test
    void mixpanelUsesReservedMessagingNamesForDeliveryAndEngagement() throws Exception {
        EventNames all = table("mixpanel", "all");
        assertEquals(Set.copyOf(EventKinds.MESSAGE_KINDS), all.kinds());
        Map<String, String> names = translateAll(mixpanel, all, "event");
        for (String kind : List.of("message.push.sent", "message.iam.impression", "message.email.sent", "message.sms.sent")) {
            assertEquals("$campaign_delivery", names.get(kind), kind);
        }
        for (String kind : List.of("message.push.received", "message.email.received", "message.sms.delivered")) {
            assertEquals("$campaign_received", names.get(kind), kind);
        }
        assertEquals("$app_open", names.get("message.push.clicked"));
        assertEquals("$app_open", names.get("message.email.clicked"));
        assertEquals("$campaign_open", names.get("message.iam.clicked"));
        assertEquals("$campaign_open", names.get("message.email.opened"));
        assertEquals("In-App Page Displayed", names.get("message.iam.page_displayed"));
        assertEquals("Email Bounced", names.get("message.email.bounced"));
        assertEquals("SMS Undelivered", names.get("message.sms.undelivered"));
    }

    @Test
    void segmentTrackCarriesTheSeedPropertiesAndNoContactDetails() {
        JsonNode call = item(segment, event("evt-1", "message.push.clicked", "user_1", "sub_1"), "Push Clicked");
        assertEquals("track", call.path("type").asText());
        assertEquals("user_1", call.path("userId").asText());
        assertTrue(call.path("anonymousId").isMissingNode());
        assertEquals("evt-1", call.path("messageId").asText());
        assertEquals("2024-02-21T23:45:15.228Z", call.path("timestamp").asText());
        JsonNode properties = call.path("properties");
        assertEquals(Set.of("messageId", "campaign_id", "message_name", "message_title", "message_contents", "message_type",
                "subscription_type", "template_id", "subscription_id", "device_type", "language", "onesignal_id"),
                fieldNames(properties));
        assertEquals("msg-1", properties.path("campaign_id").asText());
        assertEquals("push", properties.path("message_type").asText());
    }

    @Test
    void anonymousEventsUseTheSubscription() {
        OneSignalEvent anonymous = event("e", "message.email.sent", null, "sub_9");
        assertEquals("sub_9", item(segment, anonymous, "Email Sent").path("anonymousId").asText());
        ObjectNode amp = item(amplitude, anonymous, "x");
        assertFalse(amp.has("user_id"));
        assertEquals("sub_9", amp.path("device_id").asText());
        assertEquals("sub_9", item(mixpanel, anonymous, "x").path("properties").path("distinct_id").asText());
        OneSignalEvent nobody = event("e", "message.email.sent", null, null);
        assertThrows(IllegalArgumentException.class, () -> item(segment, nobody, "Email Sent"));
        assertThrows(IllegalArgumentException.class, () -> item(amplitude, nobody, "x"));
        assertThrows(IllegalArgumentException.class, () -> item(mixpanel, nobody, "x"));
    }

    @Test
    void carriesEventDataAndMessageUrlsUnderEachVendorsPropertyNames() {
        OneSignalEvent failed = new OneSignalEvent("message.push.failed", "f", 1L, null, null, "s", null, "u",
                Map.of("event.data.failure_reason", "NotRegistered", "event.data.retry_hint", "later", "message.url", "https://x"),
                null, null, null, null, null, null);
        JsonNode segmentProperties = item(segment, failed, "Push Failed").path("properties");
        assertEquals("NotRegistered", segmentProperties.path("failure_reason").asText());
        assertEquals("later", segmentProperties.path("data_retry_hint").asText(), "a field the table does not list: the wildcard's name");
        assertEquals("https://x", segmentProperties.path("url").asText());
        JsonNode amplitudeProperties = item(amplitude, failed, "x").path("event_properties");
        assertEquals("NotRegistered", amplitudeProperties.path("Failure Reason").asText());
        assertEquals("later", amplitudeProperties.path("Data retry_hint").asText());
        assertEquals("https://x", amplitudeProperties.path("Message URL").asText());
        JsonNode mixpanelProperties = item(mixpanel, failed, "x").path("properties");
        assertEquals("NotRegistered", mixpanelProperties.path("failure_reason").asText());
        assertEquals("https://x", mixpanelProperties.path("url").asText());
        assertThrows(IllegalArgumentException.class, () -> new DetailNames(Map.of("user.email", "email")),
                "only event details can be carried: a table naming another field is refused at start-up");
    }

    @Test
    void missingOptionalFieldsAreLeftOut() {
        OneSignalEvent sparse = new OneSignalEvent("message.sms.sent", "e", 1000L, null, null, "s", null, "u",
                null, null, null, null, null, null, null);
        assertEquals(Set.of("message_type", "subscription_id"), fieldNames(item(segment, sparse, "SMS Sent").path("properties")));
        assertEquals(Set.of("message_type", "subscription_id", "source"),
                fieldNames(item(amplitude, sparse, "x").path("event_properties")));
        assertEquals("SMS", item(amplitude, sparse, "x").path("event_properties").path("message_type").asText());
    }

    @Test
    void dedupIdsAreDeterministicAndWithinEachVendorsRules() {
        String longId = "x".repeat(150);
        assertEquals(Segment.messageId(longId), Segment.messageId(longId));
        assertTrue(Segment.messageId(longId).length() < 100);
        assertEquals("a1b2c3d4-e5f6-7890-abcd-ef1234567890", Mixpanel.insertId("a1b2c3d4-e5f6-7890-abcd-ef1234567890"));
        String derived = Mixpanel.insertId("evt_with_underscores");
        assertEquals(derived, Mixpanel.insertId("evt_with_underscores"));
        assertTrue(derived.matches("[A-Za-z0-9-]{1,36}"), derived);
        assertEquals(1, Json.readObject(text(amplitude.envelope(List.of()))).path("options").path("min_id_length").asInt());
    }

    @Test
    void batchesSplitAtTheEventCountLimits() throws Exception {
        List<OneSignalEvent> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            events.add(event("e" + i, "message.push.sent", "u" + i, "s" + i));
        }
        // Segment's 2,500 events would make more than its 500 KB: the size decides, every event goes, in order
        List<OutboundRequest> segmentRequests = requests(segment, table("segment", "all"), events);
        assertTrue(segmentRequests.size() >= 2, "" + segmentRequests.size());
        List<String> sent = new ArrayList<>();
        for (OutboundRequest request : segmentRequests) {
            byte[] body = segment.body(request);
            assertTrue(body.length <= Segment.LIMITS.maxRequestBytes(), "" + body.length);
            JsonNode batch = Json.readObject(text(body)).path("batch");
            assertTrue(batch.size() <= 2500, "" + batch.size());
            batch.forEach(item -> sent.add(item.path("messageId").asText()));
        }
        assertEquals(events.stream().map(OneSignalEvent::id).toList(), sent);
        List<OutboundRequest> amplitudeRequests = requests(amplitude, table("amplitude", "all"), events);
        assertEquals(List.of(2000, 1000), amplitudeRequests.stream().map(r -> r.events().size()).toList());
        assertEquals(List.of(2000, 1000), requests(mixpanel, table("mixpanel", "all"), events)
                .stream().map(r -> r.items().size()).toList());
    }

    @Test
    void anItemThatFailsHalfWrittenIsRefusedAloneAndTheNextItemsAreWhole() throws Exception {
        // a vendor whose item breaks off after it began, for one event: the batch's one generator must start afresh
        Vendor breaksOnB = new Vendor() {
            @Override
            public String name() {
                return "breaks";
            }

            @Override
            public void writeItem(OneSignalEvent event, String eventName, DetailNames details, JsonGenerator item) throws IOException {
                item.writeStartObject();
                item.writeStringField("id", event.id());
                if (event.id().equals("b")) {
                    item.writeFieldName("half");
                    throw new IllegalStateException("broke off inside the item");
                }
                item.writeEndObject();
            }

            @Override
            public byte[] envelope(List<byte[]> items) {
                return RequestBuilder.join("[", items, "]");
            }

            @Override
            public Limits limits() {
                return new Limits(10, 10_000, 1_000);
            }

            @Override
            public Map<String, String> headers() {
                return Map.of();
            }

            @Override
            public Outcome interpret(OutboundRequest request, int status, String responseBody, String retryAfterHeader) {
                throw new UnsupportedOperationException();
            }
        };
        List<OneSignalEvent> events = List.of(event("a", "message.push.sent", "u1", "s1"),
                event("b", "message.push.sent", "u2", "s2"), event("c", "message.push.sent", "u3", "s3"));
        Translated translated = RequestBuilder.translate(breaksOnB, table("segment", "all"), details("segment"), events);
        assertEquals(List.of("a", "c"), translated.events().stream().map(OneSignalEvent::id).toList());
        assertEquals(List.of("{\"id\":\"a\"}", "{\"id\":\"c\"}"), translated.items().stream().map(TranslatorsTest::text).toList());
        assertEquals(1, translated.rejections().size());
        assertTrue(translated.rejections().get(0).reason().contains("broke off inside the item"), translated.rejections().get(0).reason());
    }

    @Test
    void batchesSplitAtTheSizeLimitsAndOversizedEventsAreRefused() throws Exception {
        List<OneSignalEvent> events = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            events.add(new OneSignalEvent("message.push.sent", "e" + i, 1L, null, null, "s", null, "u", null,
                    null, null, "t".repeat(20_000), null, null, null));
        }
        events.add(new OneSignalEvent("message.push.sent", "huge", 1L, null, null, "s", null, "u", null,
                null, null, "t".repeat(40_000), null, null, null));
        Translated translated = RequestBuilder.translate(segment, table("segment", "all"), details("segment"), events);
        assertEquals(1, translated.rejections().size());
        assertTrue(translated.rejections().get(0).reason().contains("32768"), translated.rejections().get(0).reason());
        List<OutboundRequest> requests = RequestBuilder.pack(segment, translated);
        assertEquals(100, requests.stream().mapToInt(r -> r.events().size()).sum());
        requests.forEach(r -> assertTrue(segment.body(r).length <= Segment.LIMITS.maxRequestBytes(), "" + segment.body(r).length));
        assertTrue(requests.size() >= 5);
    }

    @Test
    void amplitudeSendsTheWholeRequestAgainAfterA429AndOnlyTheValidEventsAfterA400() throws Exception {
        List<OneSignalEvent> events = List.of(event("a", "message.push.sent", "u1", "s1"),
                event("b", "message.push.sent", "u2", "s2"), event("c", "message.push.sent", "u1", "s1"));
        OutboundRequest request = requests(amplitude, table("amplitude", "all"), events).get(0);
        Outcome outcome = amplitude.interpret(request, 429,
                "{\"code\":429,\"throttled_users\":{\"u1\":31},\"throttled_events\":[0,2]}", null);
        // Amplitude stores nothing of a 429'd request: every event goes again after the throttle window
        assertEquals(0, outcome.delivered());
        assertEquals(List.of("a", "b", "c"), outcome.retry().events().stream().map(OneSignalEvent::id).toList());
        assertEquals(30_000, outcome.retryAfterMillis());
        assertTrue(outcome.throttled());

        Outcome invalid = amplitude.interpret(request, 400,
                "{\"code\":400,\"error\":\"Invalid field values on some events\",\"events_with_invalid_fields\":{\"time\":[1]}}", null);
        assertEquals(List.of("a", "c"), invalid.retry().events().stream().map(OneSignalEvent::id).toList());
        assertEquals(1, invalid.rejected().size());
        assertEquals(0, invalid.retryAfterMillis());
    }

    @Test
    void mixpanelDeadLettersExactlyTheFailedRecords() throws Exception {
        List<OneSignalEvent> events = List.of(event("a", "message.push.sent", "u1", "s1"),
                event("b", "message.push.sent", "u2", "s2"), event("c", "message.push.sent", "u3", "s3"));
        OutboundRequest request = requests(mixpanel, table("mixpanel", "all"), events).get(0);
        Outcome outcome = mixpanel.interpret(request, 400, "{\"code\":400,\"num_records_imported\":2,\"failed_records\":"
                + "[{\"index\":1,\"insert_id\":\"b\",\"field\":\"properties.time\",\"message\":\"bad time\"}]}", null);
        assertEquals(2, outcome.delivered());
        assertEquals(1, outcome.rejected().size());
        assertTrue(outcome.rejected().get(0).record().contains("\"id\":\"b\""));
        assertTrue(outcome.rejected().get(0).reason().contains("bad time"));
        assertEquals(null, outcome.retry());
        assertEquals(request, mixpanel.interpret(request, 503, "", null).retry());
        assertEquals(3, mixpanel.interpret(request, 401, "{\"error\":\"Invalid credentials\"}", null).rejected().size());
    }

    @Test
    void aRequestTooLargeForAmplitudeOrMixpanelIsCutInHalvesAndASingleEventIsRefused() throws Exception {
        List<OneSignalEvent> events = List.of(event("a", "message.push.sent", "u1", "s1"),
                event("b", "message.push.sent", "u2", "s2"), event("c", "message.push.sent", "u3", "s3"));
        for (Vendor vendor : List.<Vendor>of(amplitude, mixpanel)) {
            OutboundRequest request = requests(vendor, table(vendor.name(), "all"), events).get(0);
            Outcome outcome = vendor.interpret(request, 413, "{\"code\":413,\"error\":\"Payload too large\"}", null);
            assertEquals(null, outcome.retry(), vendor.name());
            assertEquals(List.of(List.of("a"), List.of("b", "c")), outcome.pieces().stream()
                    .map(piece -> piece.events().stream().map(OneSignalEvent::id).toList()).toList(), vendor.name());
            assertEquals(0, outcome.delivered() + outcome.rejected().size(), vendor.name());
            OutboundRequest single = outcome.pieces().get(0);
            Outcome alone = vendor.interpret(single, 413, "{\"code\":413,\"error\":\"Payload too large\"}", null);
            assertEquals(List.of(), alone.pieces(), vendor.name());
            assertEquals(1, alone.rejected().size(), vendor.name());
        }
    }

    @Test
    void segmentRetriesTransientAnswersHonouringRetryAfter() throws Exception {
        OutboundRequest request = requests(segment, table("segment", "all"), List.of(event("a", "message.push.sent", "u1", "s1"))).get(0);
        Outcome throttled = segment.interpret(request, 429, "", "7");
        assertEquals(7000, throttled.retryAfterMillis());
        assertTrue(throttled.throttled());
        for (int status : List.of(408, 410, 460, 500, 502, 503)) {
            assertEquals(request, segment.interpret(request, status, "", null).retry(), "status " + status);
        }
        assertEquals(1, segment.interpret(request, 400, "Bad Request", null).rejected().size());
        assertTrue(Json.readObject(text(segment.body(request))).path("writeKey").asText().equals("wk"));
        // sentAt is stamped on each attempt, not when the batch was built
        clock.set(Instant.parse("2024-02-21T23:50:00Z"));
        assertEquals("2024-02-21T23:50:00Z", Json.readObject(text(segment.body(request))).path("sentAt").asText());
    }

    private static ObjectNode item(Vendor vendor, OneSignalEvent event, String eventName) {
        try {
            return (ObjectNode) Json.readObject(text(RequestBuilder.item(vendor, event, eventName, details(vendor.name()))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DetailNames details(String destination) throws IOException {
        return DetailNames.load(Path.of("config/event-properties/" + destination + ".properties"));
    }

    private static String text(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }

    private static List<OutboundRequest> requests(Vendor vendor, EventNames names, List<OneSignalEvent> events) throws IOException {
        return RequestBuilder.pack(vendor, RequestBuilder.translate(vendor, names, details(vendor.name()), events));
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
