package io.signalhub.vendors.onesignal;

import io.signalhub.datain.SegmentTranslator;
import io.signalhub.datain.TagMaps;
import io.signalhub.datain.Translation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Coalescing, the tag limit, 100 tags per request, custom event limits, segments created once. */
class OneSignalRequestsTest {

    private static final OneSignalApps APPS = new OneSignalApps(
            Map.of(OneSignalApps.DEFAULT, new OneSignalApps.App(OneSignalApps.DEFAULT, "app-1", "key-1"),
                    "shop", new OneSignalApps.App("shop", "app-2", "key-2")),
            Map.of());

    private static UserChange change(String app, String user, Map<String, String> tags) {
        return new UserChange(app, user, tags, List.of(), null, null, "record-" + user + tags);
    }


    @Test
    void updatesOfOneUserAreCoalescedLaterValuesWinDeletionsKept() throws Exception {
        OneSignalPlan plan = new OneSignalPlan();
        plan.add(Translation.of(change("default", "u1", TagMaps.of("plan", "basic", "color", "blue"))));
        plan.add(Translation.of(change("default", "u2", TagMaps.of("plan", "free"))));
        plan.add(Translation.of(change("default", "u1", TagMaps.of("plan", "pro", "color", null))));
        plan.add(Translation.of(change("shop", "u1", TagMaps.of("plan", "shop"))));
        plan.add(Translation.dropped("shop", SegmentTranslator.NO_USER_ID));

        List<OneSignalRequest> requests = OneSignalRequests.build(plan, APPS, 10, (a, n) -> false, device -> false).requests();
        assertEquals(3, requests.size(), "one PATCH per user and app");
        assertEquals(3, plan.counts().get("default").messages());
        assertEquals(1, plan.counts().get("default").coalesced());
        assertEquals(Map.of(), plan.counts().get("default").dropped());
        assertEquals(2, plan.counts().get("shop").messages(), "each app's counts are its own");
        assertEquals(0, plan.counts().get("shop").coalesced());
        assertEquals(Map.of(SegmentTranslator.NO_USER_ID, 1), plan.counts().get("shop").dropped());
        OneSignalRequest u1 = requests.get(0);
        assertEquals("PATCH", u1.method());
        assertEquals("/apps/app-1/users/by/external_id/u1", u1.path());
        assertEquals("{\"properties\":{\"tags\":{\"plan\":\"pro\",\"color\":\"\"}}}", u1.body());
        assertEquals(2, u1.sources().size(), "both records stand behind the coalesced update");
        assertEquals("/apps/app-2/users/by/external_id/u1", requests.get(2).path());
    }

    @Test
    void externalIdsAreUrlEncoded() {
        OneSignalPlan plan = new OneSignalPlan();
        plan.add(Translation.of(change("default", "a b/c", TagMaps.of("x", "1"))));
        assertEquals("/apps/app-1/users/by/external_id/a%20b%2Fc",
                OneSignalRequests.build(plan, APPS, 10, (a, n) -> false, device -> false).requests().get(0).path());
    }

    @Test
    void tagLimitKeepsFirstComeNamesAndDeletionsAlways() {
        Map<String, String> tags = TagMaps.of("a", "1", "first_name", "Ada", "b", "2", "gone", null, "c", "3", "last_name", "L");
        assertEquals(TagMaps.of("a", "1", "first_name", "Ada", "gone", null, "last_name", "L"), OneSignalRequests.withinTagLimit(tags, 3));
        assertEquals(TagMaps.of("first_name", "Ada", "gone", null, "last_name", "L"), OneSignalRequests.withinTagLimit(tags, 2));

        OneSignalPlan plan = new OneSignalPlan();
        plan.add(Translation.of(change("default", "u1", tags)));
        OneSignalRequests.Built built = OneSignalRequests.build(plan, APPS, 3, (a, n) -> false, device -> false);
        assertEquals(Map.of("default", Map.of(OneSignalRequests.TAG_LIMIT, 2)), built.dropped());
    }

    @Test
    void atMostOneHundredTagsPerRequest() throws Exception {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 250; i++) {
            many.put("t" + i, "v");
        }
        OneSignalPlan plan = new OneSignalPlan();
        plan.add(Translation.of(change("default", "u1", many)));
        List<OneSignalRequest> requests = OneSignalRequests.build(plan, APPS, 1000, (a, n) -> false, device -> false).requests();
        assertEquals(List.of(100, 100, 50), requests.stream().map(OneSignalRequest::items).toList());
        for (OneSignalRequest request : requests) {
            assertEquals(request.items(), Json.MAPPER.readTree(request.body()).path("properties").path("tags").size());
        }
    }

    @Test
    void audienceSegmentsAreCreatedOnlyWhenNotKnownAndComeFirst() throws Exception {
        OneSignalPlan plan = new OneSignalPlan();
        plan.add(Translation.of(new UserChange("default", "u1", TagMaps.of("vip", "true"), List.of(), null, "vip", "r1")));
        plan.add(Translation.of(new UserChange("default", "u2", TagMaps.of("vip", null), List.of(), null, "vip", "r2")));
        plan.add(Translation.of(new UserChange("default", "u3", TagMaps.of("old", "true"), List.of(), null, "old", "r3")));

        List<OneSignalRequest> requests = OneSignalRequests.build(plan, APPS, 10, (app, name) -> name.equals("old"), device -> false).requests();
        assertEquals(List.of("segment", "user", "user", "user"), requests.stream().map(OneSignalRequest::kind).toList());
        JsonNode segment = Json.MAPPER.readTree(requests.get(0).body());
        assertEquals("vip", segment.path("name").asText());
        assertEquals("[{\"field\":\"tag\",\"key\":\"vip\",\"relation\":\"=\",\"value\":\"true\"}]", segment.path("filters").toString());
        assertEquals("/apps/app-1/segments", requests.get(0).path());
    }

    @Test
    void customEventsArePackedWithinOneMegabyteAndOversizedOnesRefused() throws Exception {
        OneSignalPlan plan = new OneSignalPlan();
        String padding = "x".repeat(1900);
        for (int i = 0; i < 600; i++) {
            var event = Json.MAPPER.createObjectNode().put("name", "E").put("external_id", "u" + i);
            event.putObject("properties").put("pad", padding);
            plan.add(Translation.of(new UserChange("default", "u" + i, Map.of(), List.of(), event, null, "r" + i)));
        }
        var big = Json.MAPPER.createObjectNode().put("name", "Big").put("external_id", "u-big");
        big.putObject("properties").put("pad", "y".repeat(2100));
        plan.add(Translation.of(new UserChange("default", "u-big", Map.of(), List.of(), big, null, "r-big")));

        OneSignalRequests.Built built = OneSignalRequests.build(plan, APPS, 10, (a, n) -> false, device -> false);
        assertEquals(1, built.refusedEvents().size());
        assertEquals(Map.of("default", Map.of(OneSignalRequests.OVERSIZED_EVENT, 1)), built.dropped());
        int events = 0;
        for (OneSignalRequest request : built.requests()) {
            assertTrue(request.body().length() <= OneSignalRequests.MAX_EVENTS_REQUEST_BYTES, "at most 1 MB per request");
            assertEquals(request.items(), Json.MAPPER.readTree(request.body()).path("events").size());
            events += request.items();
        }
        assertEquals(600, events);
        assertEquals(2, built.requests().size());
    }

    @Test
    void aDeviceIsRegisteredBeforeTheUsersTagsOnceAPollAndNotAgainOnceRegistered() throws Exception {
        String token = "a1".repeat(32);
        IosDevice device = new IosDevice(token, "iPhone14,2", "17.1", null);
        OneSignalPlan plan = new OneSignalPlan();
        plan.add(Translation.of(new UserChange("default", "u1", TagMaps.of("plan", "pro"), List.of(), null, null, "r1", device)));
        plan.add(Translation.of(new UserChange("default", "u1", TagMaps.of("plan", "max"), List.of(), null, null, "r2", device)));
        plan.add(Translation.of(new UserChange("default", "u2", Map.of(), List.of(), null, null, "r3",
                new IosDevice("not-hex", null, null, null))));

        OneSignalRequests.Built built = OneSignalRequests.build(plan, APPS, 10, (a, n) -> false, key -> false);
        assertEquals(List.of("device", "user"), built.requests().stream().map(OneSignalRequest::kind).toList());
        OneSignalRequest registration = built.requests().get(0);
        assertEquals("/apps/app-1/users", registration.path());
        assertEquals(List.of("r1", "r2"), registration.sources());
        JsonNode body = Json.MAPPER.readTree(registration.body());
        assertEquals("u1", body.path("identity").path("external_id").asText());
        assertEquals("{\"type\":\"iOSPush\",\"token\":\"" + token + "\",\"enabled\":true,\"device_model\":\"iPhone14,2\","
                + "\"device_os\":\"17.1\"}", body.path("subscriptions").get(0).toString());
        assertEquals(Map.of(OneSignalPlan.INVALID_DEVICE_TOKEN, 1), plan.counts().get("default").dropped());
        assertTrue(!device.toString().contains(token), "the token never reaches a log line");

        String registered = OneSignalRequests.deviceKey("app-1", "u1", token);
        assertEquals(List.of("user"), OneSignalRequests.build(plan, APPS, 10, (a, n) -> false, registered::equals).requests()
                .stream().map(OneSignalRequest::kind).toList());
    }
}
