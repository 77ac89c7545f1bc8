package io.signalhub;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.kafka.EmbeddedKafkaBroker;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults against the hub as a real process: SIGKILL mid-stream, a destination down for a long
 * stretch, 429 storms, the Kafka broker restarted under load. The client side does what any sender
 * does: it resends a request until the hub acknowledged it with 202. Nothing acknowledged may be lost,
 * and a re-sent event must carry the same dedup id (Segment messageId, Amplitude insert_id, Mixpanel $insert_id).
 */
class FaultInjectionTest {

    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;
    private static final Duration WAIT = Duration.ofMinutes(3);

    private static String events(int from, int count) {
        List<String> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            events.add(DataOutEndToEndTest.flatEvent("event-" + i, "message.push.sent", "user-" + (i % 5000)));
        }
        return "[" + String.join(",", events) + "]";
    }

    /** Sends events [0, total) in requests of {@code perRequest}, each resent until the hub answers 202. */
    private static Thread sender(HubProcess hub, int total, int perRequest, AtomicInteger acknowledged, AtomicInteger resent) {
        Thread sender = new Thread(() -> {
            for (int from = 0; from < total; from += perRequest) {
                String body = events(from, perRequest);
                while (true) {
                    try {
                        if (hub.post("/onesignal/events", TestHub.INGRESS_TOKEN, body).statusCode() == 202) {
                            break;
                        }
                    } catch (Exception hubDown) {
                        // connection refused while the hub restarts: resend
                    }
                    resent.incrementAndGet();
                    sleep(200);
                }
                acknowledged.addAndGet(perRequest);
            }
        }, "sender");
        sender.start();
        return sender;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Set<String> ids(List<JsonNode> events, String... path) {
        Set<String> ids = new HashSet<>();
        for (JsonNode event : events) {
            JsonNode id = event;
            for (String field : path) {
                id = id.path(field);
            }
            ids.add(id.asText());
        }
        return ids;
    }

    /** Every event of [0, total) reached every vendor, each under one dedup id. */
    private static void assertAllDeliveredOnce(int total) throws InterruptedException {
        await(total + " events at Segment", WAIT, () -> ids(FAKES.segment().accepted(), "messageId").size() >= total);
        await(total + " events at Amplitude", WAIT, () -> ids(FAKES.amplitude().accepted(), "insert_id").size() >= total);
        await(total + " events at Mixpanel", WAIT, () -> ids(FAKES.mixpanel().accepted(), "properties", "$insert_id").size() >= total);
        assertEquals(total, ids(FAKES.segment().accepted(), "messageId").size(), "one messageId per event at Segment");
        assertEquals(total, ids(FAKES.amplitude().accepted(), "insert_id").size(), "one insert_id per event at Amplitude");
        assertEquals(total, ids(FAKES.mixpanel().accepted(), "properties", "$insert_id").size(), "one $insert_id per event at Mixpanel");
    }

    @Test
    void killNineInTheMiddleOfOneHundredThousandEventsLosesNothing() throws Exception {
        int total = 100_000;
        try (HubProcess hub = HubProcess.start("kill-nine", TestHub.settings(FAKES, TestHub.newTopic()), "-Xmx512m")) {
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicInteger resent = new AtomicInteger();
            Thread sender = sender(hub, total, 500, acknowledged, resent);
            await("a quarter delivered", WAIT, () -> FAKES.segment().accepted().size() >= total / 4);
            hub.kill();
            int acknowledgedBeforeKill = acknowledged.get();
            hub.start();
            sender.join();
            assertTrue(acknowledgedBeforeKill < total, "killed mid-stream: " + acknowledgedBeforeKill + " acknowledged");
            assertAllDeliveredOnce(total);
            System.out.printf("kill -9 after %d acknowledged: %d requests resent; re-sent duplicates (same dedup id): "
                            + "Segment %d, Amplitude %d, Mixpanel %d%n", acknowledgedBeforeKill, resent.get(),
                    FAKES.segment().accepted().size() - total, FAKES.amplitude().accepted().size() - total,
                    FAKES.mixpanel().accepted().size() - total);
        }
    }

    @Test
    void aDestinationDownForALongStretchGetsItsBacklogAndTheIngressKeepsAnswering() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.health.stuck-after-seconds", "3");
        try (HubProcess hub = HubProcess.start("long-outage", settings)) {
            FAKES.segment().failNext(100_000, 503, null);
            boolean reportedStuck = false;
            long outageEnds = System.nanoTime() + Duration.ofSeconds(12).toNanos();
            int sent = 0;
            while (System.nanoTime() < outageEnds) {
                HttpResponse<String> answer = hub.post("/onesignal/events", TestHub.INGRESS_TOKEN, events(sent, 100));
                assertEquals(202, answer.statusCode(), "the ingress answers 202 while Segment is down: " + answer.body());
                sent += 100;
                reportedStuck |= hub.status("/observe/health/ready") == 503;
                assertEquals(200, hub.status("/observe/health/live"), "alive all along: nothing to restart");
                Thread.sleep(200);
            }
            assertTrue(reportedStuck, "readiness reported Segment stuck during the outage");
            assertEquals(0, ids(FAKES.segment().accepted(), "messageId").size());
            FAKES.segment().recover();
            assertAllDeliveredOnce(sent);
            await("readiness back", WAIT, hub::healthy);
        }
    }

    @Test
    void aStormOf429sIsWaitedOutAsRetryAfterSaysWithNothingDropped() throws Exception {
        try (HubProcess hub = HubProcess.start("storm", TestHub.settings(FAKES, TestHub.newTopic()))) {
            int storm = 6;
            FAKES.segment().failNext(storm, 429, 1);
            FAKES.mixpanel().failNext(storm, 429, 1);
            long start = System.nanoTime();
            assertEquals(202, hub.post("/onesignal/events", TestHub.INGRESS_TOKEN, events(0, 500)).statusCode());
            assertAllDeliveredOnce(500);
            double seconds = (System.nanoTime() - start) / 1e9;
            // Retry-After: 1 on each of the 429s in a row: a hot loop would be through them in milliseconds
            assertTrue(seconds >= storm - 1, "the storm was waited out as Retry-After asked: " + seconds + " s");
            // each 429 is one request; after the storm at most one request per partition's batch (4 partitions)
            assertTrue(FAKES.segment().requests() <= storm + 4, "one request per Retry-After: " + FAKES.segment().requests());
            assertEquals(500, hub.metric("signalhub_destination_delivered_total", "destination=\"segment\""));
            assertTrue(hub.metric("signalhub_destination_throttled_total", "destination=\"mixpanel\"") >= storm);
        }
    }

    @Test
    void theKafkaBrokerRestartedUnderLoadAndTheHubRecoversByItself() throws Exception {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(Files.createTempDirectory("signalhub-restarted-kafka"), 0);
        broker.start();
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.kafka.brokers", broker.bootstrapServers());
        try (HubProcess hub = HubProcess.start("broker-restart", settings)) {
            int total = 10_000;
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicInteger resent = new AtomicInteger();
            Thread sender = sender(hub, total, 200, acknowledged, resent);
            await("some delivered", WAIT, () -> FAKES.segment().accepted().size() >= 1000);
            broker.stop();
            Thread.sleep(5000);
            broker.start();
            sender.join();
            assertAllDeliveredOnce(total);
            assertTrue(hub.alive(), "the same hub process recovered");
            await("the hub healthy again", WAIT, hub::healthy);
            System.out.printf("broker restart: %d requests answered 503 (or timed out) and were resent%n", resent.get());
        } finally {
            broker.stop();
        }
    }
}
