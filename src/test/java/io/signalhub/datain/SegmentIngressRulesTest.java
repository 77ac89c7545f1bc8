package io.signalhub.datain;

import io.signalhub.vendors.onesignal.OneSignalApps;
import io.signalhub.vendors.segment.SegmentMessages;
import io.signalhub.vendors.segment.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.ingress.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Segment's Tracking API rules, the webhook body forms and signatures, write keys per app. */
class SegmentIngressRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void singleCallsTakeTheirTypeFromThePathAndKeepTheirWriteKey() {
        SegmentMessages.TrackingCall call = SegmentMessages.trackingCall("identify",
                bytes("{\"writeKey\":\"wk\",\"userId\":\"u1\",\"traits\":{}}"));
        assertEquals("wk", call.writeKey());
        ObjectNode message = call.validated(NOW).get(0);
        assertEquals("identify", message.path("type").asText());
        assertFalse(message.has("writeKey"), "the write key is not stored on Kafka");
        assertEquals(NOW.toString(), message.path("receivedAt").asText());
    }

    @Test
    void batchesMergeBatchContextAndIntegrationsItemValuesWin() {
        SegmentMessages.TrackingCall call = SegmentMessages.trackingCall("import", bytes("{\"writeKey\":\"wk\","
                + "\"context\":{\"library\":\"java\",\"ip\":\"1.1.1.1\"},\"integrations\":{\"All\":true},\"batch\":["
                + "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"context\":{\"ip\":\"2.2.2.2\"}},"
                + "{\"type\":\"identify\",\"anonymousId\":\"a1\"}]}"));
        List<ObjectNode> messages = call.validated(NOW);
        assertEquals(2, messages.size());
        assertEquals("2.2.2.2", messages.get(0).path("context").path("ip").asText());
        assertEquals("java", messages.get(0).path("context").path("library").asText());
        assertTrue(messages.get(1).path("integrations").path("All").asBoolean());
    }

    @Test
    void badMessagesAreRefusedWholeWithEveryProblemNamed() {
        SegmentMessages.TrackingCall call = SegmentMessages.trackingCall("batch", bytes("{\"batch\":["
                + "{\"type\":\"track\",\"userId\":\"u1\"},{\"type\":\"identify\"},{\"userId\":\"u1\"},"
                + "{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"" + "m".repeat(100) + "\"}]}"));
        InvalidInputException refused = assertThrows(InvalidInputException.class, () -> call.validated(NOW));
        assertEquals(400, refused.status());
        assertEquals(4, refused.problems().size(), refused.problems().toString());
    }

    @Test
    void segmentsSizeLimitsAnswer400() {
        String big = "{\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"p\":\"" + "x".repeat(SegmentMessages.MAX_MESSAGE_BYTES) + "\"}}";
        assertEquals(400, assertThrows(InvalidInputException.class, () -> SegmentMessages.trackingCall("track", bytes(big))).status());
        String bigItem = "{\"batch\":[" + big.replace("{\"userId\"", "{\"type\":\"track\",\"userId\"") + "]}";
        InvalidInputException item = assertThrows(InvalidInputException.class, () -> SegmentMessages.trackingCall("batch", bytes(bigItem)));
        assertTrue(item.problems().get(0).startsWith("batch[0]"), item.problems().toString());
        String hugeBatch = "{\"batch\":[" + "{\"type\":\"identify\",\"userId\":\"u\"},".repeat(20_000) + "{}]}";
        assertEquals(400, assertThrows(InvalidInputException.class, () -> SegmentMessages.trackingCall("batch", bytes(hugeBatch))).status());
        assertEquals(400, assertThrows(InvalidInputException.class, () -> SegmentMessages.trackingCall("track", bytes("{oops"))).status());
        assertEquals(404, assertThrows(InvalidInputException.class, () -> SegmentMessages.trackingCall("launch", bytes("{}"))).status());
    }

    @Test
    void webhooksTakeOneMessageOrAnArrayAndSegmentsDeleteType() {
        assertEquals(1, SegmentMessages.webhook(bytes("{\"type\":\"delete\",\"userId\":\"u\"}"), NOW).size());
        assertEquals(2, SegmentMessages.webhook(bytes("[{\"type\":\"page\",\"userId\":\"u\"},{\"type\":\"alias\",\"userId\":\"u\"}]"), NOW).size());
        assertThrows(InvalidInputException.class, () -> SegmentMessages.webhook(bytes("[1]"), NOW));
        assertThrows(InvalidInputException.class, () -> SegmentMessages.webhook(bytes("\"text\""), NOW));
    }

    @Test
    void signatureCoversTheRawBodyOrTheFirstArrayElementsOwnBytes() {
        WebhookSignature signature = new WebhookSignature("s3cret");
        // odd spacing and number forms: only the bytes as sent verify, never a re-serialisation
        String single = "{\"type\": \"identify\",  \"userId\":\"u\", \"traits\":{\"n\":1.50}}";
        String signed = HexFormat.of().formatHex(signature.sign(bytes(single)));
        assertTrue(signature.verify(bytes(single), signed));
        assertTrue(signature.verify(bytes(single), signed.toUpperCase()));
        assertFalse(signature.verify(bytes(single.replace("1.50", "1.5")), signed));
        assertFalse(signature.verify(bytes(single), "zz"));
        assertFalse(signature.verify(bytes(single), null));

        String first = "{\"type\":\"track\", \"userId\":\"u\",\"event\":\"é\"}";
        String batch = "[ " + first + " ,{\"type\":\"track\",\"userId\":\"v\",\"event\":\"E\"}]";
        String batchSignature = HexFormat.of().formatHex(signature.sign(bytes(first)));
        assertTrue(signature.verify(bytes(batch), batchSignature));
        assertFalse(new WebhookSignature("other").verify(bytes(batch), batchSignature));
    }

    @Test
    void writeKeysFeedTheirApp() {
        Map<String, String> keys = OneSignalApps.parseWriteKeys(" wk1 , wk2:shop ,", Set.of("default", "shop"));
        assertEquals(Map.of("wk1", "default", "wk2", "shop"), keys);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> OneSignalApps.parseWriteKeys("wk:blog", Set.of("default")));
        assertTrue(unknown.getMessage().contains("blog"));
    }
}
