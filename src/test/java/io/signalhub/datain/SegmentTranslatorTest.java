package io.signalhub.datain;

import io.signalhub.vendors.onesignal.OneSignalApps;
import io.signalhub.vendors.segment.SegmentMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every translation rule of OneSignal's Segment integration (https://documentation.onesignal.com/docs/segment-onesignal-integration). */
class SegmentTranslatorTest {

    private final SegmentTranslator translator = new SegmentTranslator(false, false, false);

    static SegmentMessage message(String json) throws Exception {
        return new SegmentMessage(OneSignalApps.DEFAULT, (ObjectNode) Json.MAPPER.readTree(json), json);
    }

    private static Map<String, String> tags(Translation translation) {
        return translation.change().tags();
    }


    @Test
    void identifyTraitsBecomeStringTags() throws Exception {
        Translation translation = translator.identify(message("{\"type\":\"identify\",\"userId\":\"u1\",\"traits\":{"
                + "\"firstName\":\"Peter\",\"lastName\":\"Gibbons\",\"email\":\"p@example.com\",\"phone\":\"+1555\","
                + "\"plan\":\"premium\",\"logins\":5,\"score\":4.5,\"vip\":true,\"gone\":null,\"blank\":\" \","
                + "\"address\":{\"city\":\"SF\"},\"roles\":[\"a\"]}}"));
        assertEquals("u1", translation.change().externalId());
        assertEquals(TagMaps.of("first_name", "Peter", "last_name", "Gibbons", "plan", "premium", "logins", "5", "score", "4.5",
                "vip", "true", "gone", null, "blank", null), tags(translation));
        assertEquals(List.of("address", "roles"), translation.change().nestedKeys());
        assertNull(translation.change().customEvent());
        assertNull(translation.change().audienceKey());
    }

    @Test
    void identifyWithTraitsOnlyInContextUsesThem() throws Exception {
        Translation translation = translator.identify(message("{\"userId\":\"u1\",\"context\":{\"traits\":{\"plan\":\"pro\"}}}"));
        assertEquals(Map.of("plan", "pro"), tags(translation));
    }

    @Test
    void messagesWithoutUserIdAreDropped() throws Exception {
        assertEquals(SegmentTranslator.NO_USER_ID, translator.identify(message("{\"anonymousId\":\"a\",\"traits\":{\"x\":1}}")).dropReason());
        assertEquals(SegmentTranslator.NO_USER_ID, translator.track(message("{\"userId\":\" \",\"event\":\"E\"}")).dropReason());
    }

    @Test
    void trackPropertiesBecomeTagsWithoutTheEventName() throws Exception {
        Translation translation = translator.track(message("{\"userId\":\"u1\",\"event\":\"Add to Cart\",\"properties\":"
                + "{\"brand\":\"Zara\",\"price\":12.0}}"));
        assertEquals(TagMaps.of("brand", "Zara", "price", "12.0"), tags(translation));
        assertNull(translation.change().customEvent(), "custom events are off by default");
    }

    @Test
    void trackTagPrefixKeepsTheEventName() throws Exception {
        Translation translation = new SegmentTranslator(true, false, false).track(message(
                "{\"userId\":\"u1\",\"event\":\"Add to Cart\",\"properties\":{\"brand\":\"Zara\"}}"));
        assertEquals(Map.of("Add_to_Cart_brand", "Zara"), tags(translation));
    }

    @Test
    void trackBecomesACustomEventWhenEnabled() throws Exception {
        String json = "{\"userId\":\"u1\",\"event\":\"Order Completed\",\"messageId\":\"m-1\","
                + "\"timestamp\":\"2025-10-21T19:09:32.263Z\",\"properties\":{\"item\":\"T-shirt\",\"price\":24.99,"
                + "\"email\":\"a@example.com\",\"Phone\":\"+1555\"}}";
        ObjectNode event = new SegmentTranslator(false, true, false).track(message(json)).change().customEvent();
        assertNotNull(event);
        assertEquals("Order Completed", event.path("name").asText());
        assertEquals("u1", event.path("external_id").asText());
        assertEquals("2025-10-21T19:09:32.263Z", event.path("timestamp").asText());
        assertEquals(24.99, event.path("properties").path("price").asDouble());
        assertEquals(2, event.path("properties").size(), "email and phone are never stored, as for tags: " + event);
        ObjectNode again = new SegmentTranslator(false, true, false).track(message(json)).change().customEvent();
        assertEquals(event.path("idempotency_key").asText(), again.path("idempotency_key").asText(),
                "a redelivered message keeps its idempotency key");
    }

    @Test
    void audienceByIdentifySetsTheAudienceTagAndTheOtherTraits() throws Exception {
        String personas = "\"context\":{\"personas\":{\"computation_class\":\"audience\",\"computation_key\":\"shoppers\"}}";
        Translation enter = translator.identify(message("{\"userId\":\"u1\",\"traits\":{\"shoppers\":true,\"orders\":2}," + personas + "}"));
        assertEquals(TagMaps.of("shoppers", "true", "orders", "2"), tags(enter));
        assertEquals("shoppers", enter.change().audienceKey());
        Translation exit = translator.identify(message("{\"userId\":\"u1\",\"traits\":{\"shoppers\":false}," + personas + "}"));
        assertEquals(TagMaps.of("shoppers", null), tags(exit));
    }

    @Test
    void audienceByTrackSetsOnlyTheAudienceTag() throws Exception {
        Translation enter = translator.track(message("{\"userId\":\"u1\",\"event\":\"Audience Entered\",\"properties\":"
                + "{\"audience_key\":\"shoppers\",\"shoppers\":true},\"context\":{\"personas\":{\"computation_class\":\"audience\","
                + "\"computation_key\":\"shoppers\"}}}"));
        assertEquals(Map.of("shoppers", "true"), tags(enter));
        assertEquals("shoppers", enter.change().audienceKey());
        // without personas context, the event name and audience_key still tell
        Translation exit = translator.track(message("{\"userId\":\"u1\",\"event\":\"Audience Exited\",\"properties\":"
                + "{\"audience_key\":\"shoppers\"}}"));
        Map<String, String> deleted = new HashMap<>();
        deleted.put("shoppers", null);
        assertEquals(deleted, tags(exit));
        assertNull(new SegmentTranslator(false, true, false).track(message("{\"userId\":\"u1\",\"event\":\"Audience Entered\","
                + "\"properties\":{\"audience_key\":\"s\",\"s\":true}}")).change().customEvent(), "audience events are not custom events");
    }

    @Test
    void computedTraitsBecomeTags() throws Exception {
        Translation byTrack = translator.track(message("{\"userId\":\"u1\",\"event\":\"Trait Computed\",\"properties\":"
                + "{\"trait_key\":\"total_revenue_180_days\",\"total_revenue_180_days\":450.0}}"));
        assertEquals(Map.of("total_revenue_180_days", "450.0"), tags(byTrack));
        Translation byIdentify = translator.identify(message("{\"userId\":\"u1\",\"traits\":{\"total_revenue_180_days\":450.0},"
                + "\"context\":{\"personas\":{\"computation_class\":\"trait\",\"computation_key\":\"total_revenue_180_days\"}}}"));
        assertEquals(Map.of("total_revenue_180_days", "450.0"), tags(byIdentify));
        assertNull(byIdentify.change().audienceKey());
    }

    @Test
    void otherTypesAreIgnored() throws Exception {
        assertEquals(SegmentTranslator.IGNORED_TYPE, translator.ignore(message("{\"type\":\"page\",\"userId\":\"u1\"}")).dropReason());
    }

    @Test
    void anIosDeviceTokenIsCarriedOnlyWhenDeviceRegistrationIsOn() throws Exception {
        String token = "0f".repeat(32);
        String json = "{\"type\":\"identify\",\"userId\":\"u1\",\"traits\":{\"plan\":\"pro\"},\"context\":{\"device\":"
                + "{\"type\":\"ios\",\"token\":\"" + token + "\",\"model\":\"iPhone14,2\"},\"os\":{\"name\":\"iOS\",\"version\":\"17.1\"}}}";
        assertNull(translator.identify(message(json)).change().device(), "off by default");
        var device = new SegmentTranslator(false, false, true).identify(message(json)).change().device();
        assertEquals(token, device.token());
        assertEquals("iPhone14,2", device.model());
        assertEquals("17.1", device.osVersion());
        assertTrue(device.valid());
        String android = json.replace("\"ios\"", "\"android\"").replace("\"iOS\"", "\"Android\"");
        assertNull(new SegmentTranslator(false, false, true).identify(message(android)).change().device(), "iOS only (seed 002)");
    }
}
