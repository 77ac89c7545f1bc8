package io.signalhub;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.sandbox.OneSignalFake;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each trigger of a cohort sync (export, schedule, both pushes) → the sources' fakes → OneSignal's fake. */
class CohortSyncEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String APP = Sandbox.ONESIGNAL_APP_ID;
    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;



    @BeforeEach
    void createUsers() {
        for (String user : List.of("u1", "u2", "u3", "u4")) {
            FAKES.onesignal().createUser(APP, user);
        }
    }

    private static Map<String, String> settings(String cohortsYaml) throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        Path file = Files.createTempFile("cohorts", ".yaml");
        Files.writeString(file, cohortsYaml);
        settings.put("hub.cohorts.file", file.toString());
        settings.put("hub.cohorts.schedule", "0 0 0 1 1 ? 2099");
        settings.put("hub.amplitude.cohort-poll-ms", "100");
        return settings;
    }

    private static Map<String, Map<String, String>> profiles(String... externalIds) {
        Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
        for (String id : externalIds) {
            profiles.put("distinct-" + id, id.isEmpty() ? Map.of("$email", "anon@example.com") : Map.of("$onesignal_user_id", id));
        }
        return profiles;
    }

    private static JsonNode export(TestHub hub, String source, String id, int expectedStatus) throws Exception {
        HttpResponse<String> response = hub.post("/cohorts/" + source + "/" + id + "/export", TestHub.ADMIN_TOKEN, "");
        assertEquals(expectedStatus, response.statusCode(), response.body());
        return Json.MAPPER.readTree(response.body());
    }

    private static void assertReport(JsonNode report, int members, int added, int removed, int unmatched, int skipped) {
        String text = report.toString();
        assertEquals(members, report.path("members").asInt(), text);
        assertEquals(added, report.path("added").asInt(), text);
        assertEquals(removed, report.path("removed").asInt(), text);
        assertEquals(unmatched, report.path("unmatched").asInt(), text);
        assertEquals(skipped, report.path("skipped").asInt(), text);
        assertEquals(0, report.path("failed").asInt(), text);
    }

    @Test
    void mixpanelExportTagsMembersCreatesTheSegmentAndLaterSendsOnlyTheDifference() throws Exception {
        FAKES.mixpanel().cohorts().pageSize(2);
        FAKES.mixpanel().cohorts().cohort(77, "Power Users", profiles("u1", "u2", "ghost", ""));
        try (TestHub hub = TestHub.start(settings("cohorts: []"))) {
            assertEquals(401, hub.post("/cohorts/mixpanel/77/export", null, "").statusCode());
            JsonNode first = export(hub, "mixpanel", "77", 200);
            assertReport(first, 3, 2, 0, 1, 1);
            assertEquals(2, first.path("matched").asInt());
            assertEquals(List.of("u1", "u2"), FAKES.onesignal().members(APP, "Power Users"));
            assertEquals("true", FAKES.onesignal().tags(APP, "u1").get("mixpanel_cohort_77"));
            assertNull(FAKES.onesignal().tags(APP, "ghost"), "users are never created");
            assertEquals(3, FAKES.mixpanel().cohorts().engageQueries(), "pages of 2: three queries for four profiles");

            FAKES.mixpanel().cohorts().cohort(77, "Power Users", profiles("u2", "u3", "ghost", ""));
            int patches = FAKES.onesignal().tagUpdates();
            JsonNode second = export(hub, "mixpanel", "77", 200);
            assertReport(second, 3, 1, 1, 1, 1);
            assertEquals(patches + 2, FAKES.onesignal().tagUpdates(), "only u3 tagged and u1 untagged");
            assertEquals(List.of("u2", "u3"), FAKES.onesignal().members(APP, "Power Users"));
            assertEquals(1, FAKES.onesignal().segments(APP).size(), "the segment is created once: " + FAKES.onesignal().segments(APP));
        }
    }

    @Test
    void aMixpanelPullLongerThanTheHoursQueriesStopsWithoutWaitingAndTheNextRunGoesOnFromItsPage() throws Exception {
        FAKES.mixpanel().cohorts().pageSize(2);
        FAKES.mixpanel().cohorts().cohort(79, "Big", profiles("u1", "u2", "u3", "u4", "m5", "m6", "m7", "m8", "m9"));
        Map<String, String> settings = settings("cohorts: []");
        settings.put("hub.mixpanel.query-rate-limit", "3");
        try (TestHub hub = TestHub.start(settings)) {
            // the hub's own count: the list and two pages, then it stops at once instead of waiting for the hour
            long started = System.nanoTime();
            JsonNode first = export(hub, "mixpanel", "79", 502);
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos());
            assertTrue(first.path("error").asText().contains("4 members read"), first.toString());
            assertEquals(2, FAKES.mixpanel().cohorts().engageQueries());
            assertTrue(FAKES.onesignal().segments(APP).isEmpty(), "nothing applied from a partial membership");
        }
        settings.put("hub.mixpanel.query-rate-limit", "60");
        FAKES.mixpanel().cohorts().queriesPerHour(7);
        try (TestHub hub = TestHub.start(settings)) {
            // a fresh hub (its pull is gone): Mixpanel's 429 after the list and three pages (the earlier three count)
            JsonNode refused = export(hub, "mixpanel", "79", 502);
            assertTrue(refused.path("error").asText().contains("3 pages"), refused.toString());
            FAKES.mixpanel().cohorts().queriesPerHour(60);
            int queries = FAKES.mixpanel().cohorts().engageQueries();
            // the next run asks for pages 3 and 4 only, on the same session, and syncs the whole cohort
            assertReport(export(hub, "mixpanel", "79", 200), 9, 4, 0, 5, 0);
            assertEquals(queries + 2, FAKES.mixpanel().cohorts().engageQueries(), "no page read twice");
            assertEquals(List.of("u1", "u2", "u3", "u4"), FAKES.onesignal().members(APP, "Big"));
        }
    }

    @Test
    void aMixpanelSessionThatExpiredBetweenRunsIsReadAgainFromItsFirstPage() throws Exception {
        FAKES.mixpanel().cohorts().pageSize(2);
        FAKES.mixpanel().cohorts().cohort(80, "Expiring", profiles("u1", "u2", "u3"));
        FAKES.mixpanel().cohorts().queriesPerHour(2);
        try (TestHub hub = TestHub.start(settings("cohorts: []"))) {
            export(hub, "mixpanel", "80", 502);
            FAKES.mixpanel().cohorts().queriesPerHour(60);
            FAKES.mixpanel().cohorts().sessionLifetime(Duration.ofSeconds(2));
            Thread.sleep(2500);
            assertReport(export(hub, "mixpanel", "80", 200), 3, 3, 0, 0, 0);
            assertEquals(List.of("u1", "u2", "u3"), FAKES.onesignal().members(APP, "Expiring"));
        }
    }

    @Test
    void aCohortNobodyMatchesSpendsNoSegmentUntilAMemberMatches() throws Exception {
        FAKES.mixpanel().cohorts().cohort(78, "Strangers", profiles("ghost1", "ghost2"));
        try (TestHub hub = TestHub.start(settings("cohorts: []"))) {
            assertReport(export(hub, "mixpanel", "78", 200), 2, 0, 0, 2, 0);
            assertTrue(FAKES.onesignal().segments(APP).isEmpty(), "no member matched: " + FAKES.onesignal().segments(APP));

            FAKES.mixpanel().cohorts().cohort(78, "Strangers", profiles("ghost1", "ghost2", "u4"));
            assertReport(export(hub, "mixpanel", "78", 200), 3, 1, 0, 2, 0);
            assertEquals(List.of("u4"), FAKES.onesignal().members(APP, "Strangers"), "created after u4 matched, named after the cohort");
        }
    }

    @Test
    void scheduledAmplitudeSyncDownloadsOnlyWhenTheCohortWasRecomputed() throws Exception {
        FAKES.amplitude().cohorts().cohort("amp1", "Churn Risk", 1000, List.of("u1", "u2", ""));
        Map<String, String> settings = settings("cohorts:\n  - source: amplitude\n    id: amp1\n");
        settings.put("hub.cohorts.schedule", "0/1 * * * * ?");
        try (TestHub hub = TestHub.start(settings)) {
            await("the first scheduled sync", WAIT, () -> "true".equals(FAKES.onesignal().tags(APP, "u2").get("amplitude_cohort_amp1")));
            Thread.sleep(2500);
            assertEquals(1, FAKES.amplitude().cohorts().downloads(), "unchanged lastComputed: no second download");

            FAKES.amplitude().cohorts().cohort("amp1", "Churn Risk", 2000, List.of("u2", "u3"));
            await("the recomputed cohort synced", WAIT, () -> FAKES.onesignal().members(APP, "Churn Risk")
                    .equals(List.of("u2", "u3")));
            assertEquals(2, FAKES.amplitude().cohorts().downloads());

            JsonNode cohorts = Json.MAPPER.readTree(get(hub, "/cohorts"));
            JsonNode reports = cohorts.path("cohorts").get(0).path("reports");
            assertTrue(reports.size() >= 3, reports.toString());
            assertTrue(reports.toString().contains("\"trigger\":\"schedule\""));
            assertTrue(jmxLatestReport(hub).contains("amp1"), "the latest report is on JMX");
        }
    }

    @Test
    void quotaAndPlanRefusalsAreReportedAndOverlappingRunsAreNotStartedTwice() throws Exception {
        FAKES.amplitude().cohorts().cohort("amp2", "Big Spenders", 1000, List.of("u1"));
        FAKES.amplitude().cohorts().monthlyQuota(0);
        try (TestHub hub = TestHub.start(settings("cohorts: []"))) {
            JsonNode quota = export(hub, "amplitude", "amp2", 502);
            assertTrue(quota.path("error").asText().contains("quota"), quota.toString());

            // a plan without the segments API: the tags still go, the report says why there is no segment
            FAKES.amplitude().cohorts().monthlyQuota(500);
            FAKES.onesignal().plan(APP, new OneSignalFake.Plan(10, 10, false));
            JsonNode refused = export(hub, "amplitude", "amp2", 200);
            assertEquals(1, refused.path("added").asInt(), refused.toString());
            assertTrue(refused.path("error").asText().contains("not available for applications on your plan"), refused.toString());
            assertEquals("true", FAKES.onesignal().tags(APP, "u1").get("amplitude_cohort_amp2"));

            FAKES.amplitude().cohorts().jobMillis(3000);
            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return hub.post("/cohorts/amplitude/amp2/export", TestHub.ADMIN_TOKEN, "");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1000);
            JsonNode busy = export(hub, "amplitude", "amp2", 409);
            assertTrue(busy.path("error").asText().contains("still going"), busy.toString());
            assertEquals(200, slow.get().statusCode(), slow.get().body());
        }
    }

    @Test
    void aSyncThatDiesHalfwayIsCompletedCorrectlyByTheNextRun() throws Exception {
        FAKES.mixpanel().cohorts().cohort(5, "Loyal", profiles("u1", "u2"));
        Map<String, String> settings = settings("cohorts: []");
        settings.put("hub.delivery.max-redeliveries", "1");
        try (TestHub hub = TestHub.start(settings)) {
            assertReport(export(hub, "mixpanel", "5", 200), 2, 2, 0, 0, 0);

            // u1 leaves and u3 joins, but OneSignal is down: the run fails with both changes pending
            FAKES.mixpanel().cohorts().cohort(5, "Loyal", profiles("u2", "u3"));
            FAKES.onesignal().failNext(1000, 503, null);
            JsonNode failed = export(hub, "mixpanel", "5", 502);
            assertTrue(failed.path("error").asText().length() > 0, failed.toString());

            // meanwhile u3 left again and u1 came back: the next run ends with exactly the members
            FAKES.onesignal().recover();
            FAKES.mixpanel().cohorts().cohort(5, "Loyal", profiles("u1", "u2"));
            export(hub, "mixpanel", "5", 200);
            assertEquals(List.of("u1", "u2"), FAKES.onesignal().members(APP, "Loyal"));
            assertNull(FAKES.onesignal().tags(APP, "u3").get("mixpanel_cohort_5"));
        }
    }

    @Test
    void mixpanelWebhookAssemblesPagesThenAppliesAddsAndRemoves() throws Exception {
        try (TestHub hub = TestHub.start(settings("cohorts: []"))) {
            String basic = "Basic " + Base64.getEncoder().encodeToString(("mixpanel:" + TestHub.INGRESS_TOKEN)
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(401, hub.post("/mixpanel/cohorts", mixpanelPush("members", 1, 2, "u1"), Map.of()).statusCode());
            HttpResponse<String> page1 = hub.post("/mixpanel/cohorts", mixpanelPush("members", 1, 2, "u1"), Map.of("Authorization", basic));
            assertEquals(200, page1.statusCode(), page1.body());
            assertEquals("{\"action\":\"members\",\"status\":\"success\"}", page1.body());
            Thread.sleep(1500);
            assertNull(FAKES.onesignal().tags(APP, "u1").get("mixpanel_cohort_900"), "nothing before every page arrived");

            assertEquals(200, hub.post("/mixpanel/cohorts", mixpanelPush("members", 2, 2, "u2"), Map.of("Authorization", basic)).statusCode());
            await("both pages applied", WAIT, () -> FAKES.onesignal().members(APP, "Pushed Cohort").equals(List.of("u1", "u2")));

            assertEquals(200, hub.post("/mixpanel/cohorts", mixpanelPush("add_members", 1, 1, "u3"), Map.of("Authorization", basic)).statusCode());
            assertEquals(200, hub.post("/mixpanel/cohorts", mixpanelPush("remove_members", 1, 1, "u1"), Map.of("Authorization", basic)).statusCode());
            await("adds and removes applied", WAIT, () -> FAKES.onesignal().members(APP, "Pushed Cohort").equals(List.of("u2", "u3")));
            HttpResponse<String> refused = hub.post("/mixpanel/cohorts", "{\"action\":\"explode\"}", Map.of("Authorization", basic));
            assertEquals(400, refused.statusCode());
            JsonNode failure = Json.MAPPER.readTree(refused.body());
            assertEquals("explode", failure.path("action").asText(), refused.body());
            assertEquals("failure", failure.path("status").asText());
            assertEquals(400, failure.path("error").path("code").asInt());
        }
    }

    @Test
    void amplitudeWebhookAppliesEnterAndExitOncePerMessageId() throws Exception {
        try (TestHub hub = TestHub.start(settings("cohorts: []"))) {
            String enter = amplitudePush("m-1", true, "u1", "u2");
            HttpResponse<String> response = hub.post("/amplitude/cohorts", TestHub.INGRESS_TOKEN, enter);
            assertEquals(200, response.statusCode(), response.body());
            await("the entered users", WAIT, () -> FAKES.onesignal().members(APP, "Webhook Cohort").equals(List.of("u1", "u2")));

            assertEquals(200, hub.post("/amplitude/cohorts", TestHub.INGRESS_TOKEN, amplitudePush("m-2", false, "u1")).statusCode());
            await("u1 left", WAIT, () -> FAKES.onesignal().members(APP, "Webhook Cohort").equals(List.of("u2")));
            int patches = FAKES.onesignal().tagUpdates();
            // Amplitude retries with the same message id: applied once
            assertEquals(200, hub.post("/amplitude/cohorts", TestHub.INGRESS_TOKEN, enter).statusCode());
            assertEquals(200, hub.post("/amplitude/cohorts", TestHub.INGRESS_TOKEN, amplitudePush("m-3", true, "u4")).statusCode());
            await("u4 entered", WAIT, () -> FAKES.onesignal().members(APP, "Webhook Cohort").contains("u4"));
            assertEquals(patches + 1, FAKES.onesignal().tagUpdates(), "the duplicate m-1 changed nothing");
            assertEquals(400, hub.post("/amplitude/cohorts", TestHub.INGRESS_TOKEN, "{\"cohort_id\":\"x\"}").statusCode());
        }
    }

    private static String mixpanelPush(String action, int page, int pages, String... users) {
        List<String> members = new ArrayList<>();
        for (String user : users) {
            members.add("{\"email\":\"" + user + "@example.com\",\"mixpanel_distinct_id\":\"" + user + "\"}");
        }
        return "{\"action\":\"" + action + "\",\"parameters\":{\"mixpanel_project_id\":\"1\",\"mixpanel_cohort_id\":\"900\","
                + "\"mixpanel_cohort_name\":\"Pushed Cohort\",\"mixpanel_session_id\":\"s-1\",\"page_info\":{\"total_pages\":"
                + pages + ",\"page_count\":" + page + "},\"members\":[" + String.join(",", members) + "]}}";
    }

    private static String amplitudePush(String messageId, boolean in, String... users) {
        List<String> list = new ArrayList<>();
        for (String user : users) {
            list.add("{\"user_id\":\"" + user + "\",\"user_properties\":{\"country\":\"US\"}}");
        }
        return "{\"cohort_name\":\"Webhook Cohort\",\"cohort_id\":\"7khm89cz\",\"in_cohort\":" + in + ",\"computed_time\":\"1692206763\","
                + "\"message_id\":\"" + messageId + "\",\"users\":[" + String.join(",", list) + "]}";
    }

    private static String get(TestHub hub, String path) {
        HttpResponse<String> response = hub.get(path, TestHub.ADMIN_TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static String jmxLatestReport(TestHub hub) throws Exception {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        for (javax.management.ObjectName name : server.queryNames(new javax.management.ObjectName("io.signalhub:type=CohortSync,*"), null)) {
            if (name.toString().contains(hub.contextName())) {
                return server.getAttribute(name, "LatestReports").toString();
            }
        }
        return "";
    }
}
