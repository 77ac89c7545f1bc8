package io.signalhub.eventstreams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.signalhub.Json;
import io.signalhub.ingress.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OneSignalEventParserTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final OneSignalEventParser parser = new OneSignalEventParser(Json.MAPPER, 3, () -> NOW);

    private OneSignalEventParser.Parsed parse(String body) {
        return parser.parseBody(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheFlatDottedFormOfOneSignalsDocs() {
        OneSignalEvent event = parse("{\"event.kind\":\"message.push.clicked\",\"event.id\":\"id-1\","
                + "\"event.timestamp\":\"1708559115\",\"event.external_id\":\"user_1\",\"event.subscription_id\":\"s\","
                + "\"message.title\":\"{'en':'Flash Sale'}\",\"event.data.failure_reason\":\"\"}").events().get(0);
        assertEquals("message.push.clicked", event.kind());
        assertEquals(1708559115000L, event.timestampMillis());
        assertEquals("user_1", event.externalId());
        assertEquals("Flash Sale", event.messageTitle(), "the push title rendered as a dict reads as its text");
        assertEquals(Map.of(), event.details(), "a blank failure reason is no detail");
    }

    @Test
    void readsTheNestedFormAndItsOwnCanonicalForm() {
        OneSignalEvent event = parse("{\"event\":{\"kind\":\"message.email.hardbounced\",\"id\":\"id-2\","
                + "\"datetime\":\"2024-02-21T23:45:15.228Z\",\"external_id\":\"\"},"
                + "\"message\":{\"title\":{\"en\":\"Hi\"}},\"user\":{\"language\":\"de\"}}").events().get(0);
        assertEquals("message.email.bounced", event.kind());
        assertEquals(1708559115228L, event.timestampMillis());
        assertNull(event.externalId());
        assertEquals("Hi", event.messageTitle(), "no German title: the English one");
        assertEquals("de", event.language());
        List<String> problems = new ArrayList<>();
        assertEquals(event, parser.readRecord(recordValue(event.canonicalJson()), problems));
        assertEquals(List.of(), problems);
    }

    @Test
    void readsItsOwnRecordsInOnePassAndEveryOtherRecordFormAsBefore() {
        OneSignalEvent full = new OneSignalEvent("message.push.failed", "id-9", 1708559115228L, "app", "iOS", "sub", "os-id",
                "user_9", Map.of("event.data.failure_reason", "NotRegistered", "event.data.page_name", "Cart",
                        "message.url", "https://shop.example", "message.web_url", "https://shop.example/web"),
                "m", "promo", "Große Sale 🎉", "Jetzt — 50 % günstiger", "tpl", "de");
        OneSignalEvent sparse = new OneSignalEvent("message.iam.clicked", "id-10", 1L, null, null, "sub", null, null, null,
                null, null, null, null, null, null);
        for (OneSignalEvent event : List.of(full, sparse)) {
            String record = event.canonicalJson();
            assertEquals(event, parser.readRecord(recordValue(record), new ArrayList<>()), record);
            // the general path reads the same record to the same event
            assertEquals(event, parser.read(Json.readObject(record), new ArrayList<>()), record);
        }
        // forms the one-pass reader leaves to the general path: an old spelling, seconds, a numeric id, user.* ids
        assertEquals("message.email.bounced", parser.readRecord(recordValue("{\"event\":{\"kind\":\"message.email.hardbounced\","
                + "\"id\":\"a\",\"timestamp_ms\":5}}"), new ArrayList<>()).kind());
        assertEquals(7000, parser.readRecord(recordValue("{\"event\":{\"kind\":\"message.push.sent\",\"id\":\"a\",\"timestamp\":7}}"),
                new ArrayList<>()).timestampMillis());
        assertEquals("42", parser.readRecord(recordValue("{\"event\":{\"kind\":\"message.push.sent\",\"id\":42,\"timestamp_ms\":5}}"),
                new ArrayList<>()).id());
        assertEquals("u", parser.readRecord(recordValue("{\"event\":{\"kind\":\"message.push.sent\",\"id\":\"a\",\"timestamp_ms\":5},"
                + "\"user\":{\"external_id\":\"u\"}}"), new ArrayList<>()).externalId());
        List<String> problems = new ArrayList<>();
        assertNull(parser.readRecord(recordValue("{\"event\":{\"kind\":\"message.push.sent\",\"timestamp_ms\":5}}"), problems));
        assertEquals(List.of("missing event.id"), problems);
    }

    /** A value without an accessible array (read-only or direct, as another deserializer may hand over) reads the same. */
    @Test
    void readsValuesThatHaveNoAccessibleArray() {
        OneSignalEvent event = new OneSignalEvent("message.push.sent", "id-11", 5L, null, null, "sub", null, "user_11", null,
                null, null, null, null, null, null);
        String record = event.canonicalJson();
        ByteBuffer direct = ByteBuffer.allocateDirect(record.length() + 4);
        direct.put(recordValue(record)).flip();
        for (ByteBuffer value : List.of(recordValue(record).asReadOnlyBuffer(), direct)) {
            assertEquals(event, parser.readRecord(value, new ArrayList<>()));
            assertEquals(record.length(), value.remaining(), "the value is read, not consumed");
        }
        // the general path too: seconds, read from a read-only view
        assertEquals(7000, parser.readRecord(recordValue("{\"event\":{\"kind\":\"message.push.sent\",\"id\":\"a\",\"timestamp\":7}}")
                .asReadOnlyBuffer(), new ArrayList<>()).timestampMillis());
    }

    @Test
    void acceptsEveryOlderSpellingAndIgnoresLiveActivities() {
        assertEquals("message.iam.impression", EventKinds.normalize("message.iam.displayed").orElseThrow());
        assertEquals("message.iam.page_displayed", EventKinds.normalize("message.iam.pagedisplayed").orElseThrow());
        assertEquals("message.email.suppressed", EventKinds.normalize("message.email.supressed").orElseThrow());
        OneSignalEventParser.Parsed parsed = parse(
                "[{\"event.kind\":\"message.live_activity.sent\",\"event.id\":\"la\"}]");
        assertEquals(0, parsed.events().size());
        assertEquals(List.of("message.live_activity.sent"), parsed.ignoredKinds());
    }

    @Test
    void readsTheDocsExampleBodyWithItsDottedKeysGroupedInObjects() {
        OneSignalEvent event = parse("{\"Event Data\":{\"event.kind\":\"message.push.clicked\",\"event.id\":\"g-1\","
                + "\"event.timestamp\":\"1708559115\",\"event.subscription_id\":\"s\",\"event.external_id\":\"user_12345\","
                + "\"event.data.failure_reason\":\"\"},\"Message Data\":{\"message.id\":\"m\",\"message.name\":\"weekly-promo-push\","
                + "\"message.title\":\"{'en':'Flash Sale'}\"}}").events().get(0);
        assertEquals("message.push.clicked", event.kind());
        assertEquals("g-1", event.id());
        assertEquals(1708559115000L, event.timestampMillis());
        assertEquals("user_12345", event.externalId());
        assertEquals("weekly-promo-push", event.messageName());
        assertEquals("Flash Sale", event.messageTitle());
    }

    @Test
    void acceptsKindsOneSignalAddsLaterWithoutForwardingThem() {
        OneSignalEventParser.Parsed parsed = parse("[{\"event.kind\":\"message.push.snoozed\",\"event.id\":\"a\"},"
                + "{\"event.kind\":\"message.push.sent\",\"event.id\":\"b\"}]");
        assertEquals(List.of("b"), parsed.events().stream().map(OneSignalEvent::id).toList());
        assertEquals(List.of("message.push.snoozed"), parsed.ignoredKinds());
    }

    @Test
    void carriesEventDataAndMessageUrlsAsDetails() {
        OneSignalEvent event = parse("{\"event\":{\"kind\":\"message.iam.page_displayed\",\"id\":\"p-1\","
                + "\"data\":{\"page_name\":\"Offer\",\"page_id\":\"pg-2\",\"target_name\":\"\"}},"
                + "\"message\":{\"url\":\"https://shop.example\",\"app_url\":\"shop://sale\"}}").events().get(0);
        assertEquals(Map.of("event.data.page_name", "Offer", "event.data.page_id", "pg-2",
                "message.url", "https://shop.example", "message.app_url", "shop://sale"), event.details());
        assertEquals(event, parser.readRecord(recordValue(event.canonicalJson()), new ArrayList<>()));
    }

    @Test
    void listsEveryProblemOfABatch() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> parse(
                "[{\"event.kind\":\"message.sms.sent\"},{\"event.id\":\"x\",\"event.kind\":\"nope\",\"event.timestamp\":\"soon\"},"
                        + "{\"event.id\":[1],\"event.kind\":{\"k\":1}}]"));
        assertEquals(400, e.status());
        assertEquals(List.of("events[0]: missing event.id",
                "events[1]: event.timestamp must be Unix seconds, a number or a numeric string",
                "events[2]: event.kind must be a string, not an object",
                "events[2]: event.id must be a string, not an array"), e.problems());
    }

    @Test
    void refusesBodiesThatAreNotEvents() {
        assertThrows(InvalidInputException.class, () -> parse("[]"));
        assertThrows(InvalidInputException.class, () -> parse("42"));
        assertThrows(InvalidInputException.class, () -> parse("{not json"));
        assertEquals("the body holds 4 events; at most 3 per request",
                assertThrows(InvalidInputException.class, () -> parse("[{},{},{},{}]")).problems().get(0));
    }

    @Test
    void aBodyReadAsAStreamReadsAsTheSameEventTreeByTree() throws Exception {
        List<String> bodies = List.of(
                "{\"event.kind\":\"message.push.sent\",\"event.id\":\"a\",\"event.timestamp\":1708559115.25,"
                        + "\"event.external_id\":12345678901234567890,\"message.title\":{\"en\":\"Hi\",\"de\":\"Hallo\"},"
                        + "\"user.language\":\"de\",\"event.data.count\":3,\"event.data.ok\":null,\"extra\":[1,{\"x\":2}]}",
                "{\"event\":{\"kind\":\"message.push.clicked\",\"id\":\"b\",\"timestamp_ms\":1708559115228,"
                        + "\"data\":{\"page\":{\"name\":\"Cart\"}}},\"event.id\":\"shadowed\",\"message\":{\"url\":\"u\"}}",
                "{\"event.kind\":\"message.push.sent\",\"event\":{\"id\":\"c\"},"
                        + "\"Message Data\":{\"message.name\":\"promo\",\"message\":{\"id\":\"m\"}}}");
        for (String body : bodies) {
            List<String> problems = new ArrayList<>();
            assertEquals(parser.read(Json.MAPPER.readTree(body), problems), parse(body).events().get(0), body);
            assertEquals(List.of(), problems, body);
        }
    }

    @Test
    void namesTheItemThatIsNoEventAndWhereTheJsonBreaks() {
        assertEquals(List.of("events[1]: an event must be a JSON object"), assertThrows(InvalidInputException.class,
                () -> parse("[{\"event.kind\":\"message.sms.sent\",\"event.id\":\"x\"},7]")).problems());
        assertEquals(List.of("events[0]: event.id must be a string"), assertThrows(InvalidInputException.class,
                () -> parse("[{\"event.kind\":\"message.sms.sent\",\"event.id\":true}]")).problems());
        assertEquals("the body is empty; send a JSON event or an array of events with Content-Type: application/json",
                assertThrows(InvalidInputException.class, () -> parse(" \n ")).problems().get(0));
        String broken = assertThrows(InvalidInputException.class,
                () -> parse("[{\"event.kind\":\"message.sms.sent\",\n\"event.id\" \"x\"}]")).problems().get(0);
        assertTrue(broken.startsWith("the body is not valid JSON: ") && broken.endsWith(" at line 2, column 12"), broken);
        for (String cutOff : List.of("[{\"event.kind\":\"message.sms.sent\"}", "[{\"event.kind\":\"message.sms.sent\"", "{\"event\":{")) {
            assertTrue(assertThrows(InvalidInputException.class, () -> parse(cutOff)).problems().get(0)
                    .startsWith("the body is not valid JSON: Unexpected end-of-input"), cutOff);
        }
        assertEquals("the body holds 5 events; at most 3 per request",
                assertThrows(InvalidInputException.class, () -> parse("[{},{},{},{\"a\":[1,[2]]},5]")).problems().get(0));
    }

    @Test
    void anEventWithoutATimeTakesTheTimeOfReceipt() {
        OneSignalEvent event = parse("{\"event.kind\":\"message.sms.sent\",\"event.id\":\"t\"}").events().get(0);
        assertEquals(NOW.toEpochMilli(), event.timestampMillis());
    }

    /** The record's UTF-8 as Kafka's consumer hands it over: a view into a larger fetched buffer, not at its start. */
    private static ByteBuffer recordValue(String text) {
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        byte[] fetched = new byte[value.length + 20];
        java.util.Arrays.fill(fetched, (byte) '{');
        System.arraycopy(value, 0, fetched, 7, value.length);
        return ByteBuffer.wrap(fetched, 7, value.length).slice();
    }
}
