package io.signalhub;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.sandbox.Sandbox;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.DataOutEndToEndTest.batch;
import static io.signalhub.DataOutEndToEndTest.flatEvent;
import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each destination progresses on its own (a consumer group per destination), failures are judged per
 * record, and nothing is retried forever: the hub's YAML routes, the in-process broker and the fakes over HTTP.
 */
class IndependentDestinationsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;

    @Test
    void aDestinationDownForLongHoldsBackNoOtherAndGetsItsBacklogOnRecovery() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            FAKES.mixpanel().failNext(1_000_000, 503, null);
            for (int wave = 0; wave < 3; wave++) {
                int total = (wave + 1) * 100;
                long posted = System.nanoTime();
                assertEquals(202, hub.postEvents(batch(wave * 100, 100)).statusCode());
                await("wave " + wave + " at Segment and Amplitude within seconds", Duration.ofSeconds(10),
                        () -> FAKES.segment().accepted().size() == total && FAKES.amplitude().accepted().size() == total);
                assertTrue(Duration.ofNanos(System.nanoTime() - posted).toSeconds() < 10);
                assertEquals(total, FAKES.segment().eventsSent(), "Segment was sent nothing twice");
                assertEquals(total, FAKES.amplitude().eventsSent(), "Amplitude was sent nothing twice");
                Thread.sleep(1500);
            }
            assertEquals(0, FAKES.mixpanel().accepted().size());
            assertTrue(hub.metrics().destination("mixpanel").getRetried() > 0);
            assertTrue(hub.metrics().destination("mixpanel").getLagSeconds() > 0, "Mixpanel is behind");
            await("Mixpanel's lag", WAIT, () -> hub.metrics().destination("mixpanel").getLagRecords() == 300);
            assertEquals(0, hub.metrics().destination("segment").getLagSeconds());

            FAKES.mixpanel().recover();
            await("Mixpanel's backlog", WAIT, () -> FAKES.mixpanel().accepted().size() == 300);
            Set<String> insertIds = new HashSet<>();
            FAKES.mixpanel().accepted().forEach(e -> insertIds.add(e.path("properties").path("$insert_id").asText()));
            assertEquals(300, insertIds.size());
            Thread.sleep(500);
            assertEquals(300, FAKES.segment().eventsSent(), "the recovery sent Segment nothing again");
            assertEquals(300, FAKES.amplitude().eventsSent());
            assertEquals(0, hub.metrics().destination("mixpanel").getDeadLettered(), "an outage loses nothing");
        }
    }

    @Test
    void a429StormWaitsWhatRetryAfterSaysNoLongerAndNoShorter() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        // the exponential backoff alone would wait far longer: the vendor's word decides
        settings.put("hub.delivery.initial-backoff-ms", "5000");
        settings.put("hub.delivery.max-backoff-ms", "30000");
        try (TestHub hub = TestHub.start(settings)) {
            assertEquals(202, hub.postEvents(flatEvent("warm-up", "message.push.sent", "u0")).statusCode());
            await("the warm-up at Segment", WAIT, () -> FAKES.segment().accepted().size() == 1);
            FAKES.segment().failNext(4, 429, 1);
            long posted = System.nanoTime();
            assertEquals(202, hub.postEvents(flatEvent("storm", "message.push.sent", "u1")).statusCode());
            await("the event after the storm", WAIT, () -> FAKES.segment().accepted().size() == 2);
            double seconds = (System.nanoTime() - posted) / 1e9;
            assertTrue(seconds >= 4.0, "four Retry-After: 1 answers are four seconds at least, took " + seconds);
            assertTrue(seconds < 8.0, "the backoff must not stretch what the vendor asked for, took " + seconds);
            assertEquals(4, hub.metrics().destination("segment").getThrottled());
            assertEquals(6, FAKES.segment().requests(), "one request per Retry-After, no more");
        }
    }

    @Test
    void amplitudeDeviceThrottlingInAMixedRequestLosesNothing() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.amplitude.throttle-wait-ms", "500");
        try (TestHub hub = TestHub.start(settings)) {
            // at most 5 events per user in any 2.5 s
            FAKES.amplitude().throttleAbove(2, 2500);
            StringBuilder busy = new StringBuilder("[");
            for (int i = 0; i < 5; i++) {
                busy.append(i == 0 ? "" : ",").append(flatEvent("busy-" + i, "message.push.sent", "busy-user"));
            }
            assertEquals(202, hub.postEvents(busy.append("]").toString()).statusCode());
            await("the busy user's events", WAIT, () -> FAKES.amplitude().accepted().size() == 5);
            // one request of 20: the busy user's event is throttled, Amplitude stores none of the 20
            StringBuilder mixed = new StringBuilder("[");
            for (int i = 0; i < 19; i++) {
                mixed.append(flatEvent("calm-" + i, "message.push.sent", "calm-user-" + i)).append(',');
            }
            assertEquals(202, hub.postEvents(mixed.append(flatEvent("busy-5", "message.push.sent", "busy-user")).append("]").toString()).statusCode());
            await("all 25 events at Amplitude", WAIT, () -> FAKES.amplitude().accepted().size() == 25);
            assertTrue(hub.metrics().destination("amplitude").getThrottled() >= 1, "Amplitude throttled the request");
            Set<String> ids = new HashSet<>();
            FAKES.amplitude().accepted().forEach(e -> ids.add(e.path("insert_id").asText()));
            assertEquals(25, ids.size(), "each event stored once");
            assertEquals(0, hub.metrics().destination("amplitude").getDeadLettered());
        }
    }

    @Test
    void segmentStampsSentAtOnTheAttemptThatGetsThrough() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            FAKES.segment().failNext(3, 429, 1);
            assertEquals(202, hub.postEvents(flatEvent("late", "message.push.sent", "u1")).statusCode());
            await("the event at Segment", WAIT, () -> FAKES.segment().accepted().size() == 1);
            JsonNode stored = FAKES.segment().accepted().get(0);
            // Segment corrects timestamp by receivedAt - sentAt: a sentAt of the first attempt would shift it by 3 s
            Duration shift = Duration.between(Instant.parse(stored.path("originalTimestamp").asText()),
                    Instant.parse(stored.path("timestamp").asText())).abs();
            assertTrue(shift.toMillis() < 1000, "Segment shifted the event by " + shift);
        }
    }

    @Test
    void aPoisonRecordInEachConsumerIsDeadLetteredAndTheRecordsAfterItGoThrough() throws Exception {
        String topic = TestHub.newTopic();
        Map<String, String> settings = TestHub.settings(FAKES, topic);
        settings.put("hub.delivery.poison-attempts", "1");
        List.of("user-1", "user-2", "user-3").forEach(user -> FAKES.onesignal().createUser(Sandbox.ONESIGNAL_APP_ID, user));
        try (TestHub hub = TestHub.start(settings); KafkaProducer<String, String> kafka = producer()) {
            // Data Out: a record that is no event, then a good one
            kafka.send(new ProducerRecord<>(topic, "u1", "{\"not\":\"an event\"")).get();
            assertEquals(202, hub.postEvents(flatEvent("after-poison", "message.push.sent", "u1")).statusCode());
            await("the event after the poison everywhere", WAIT, () -> FAKES.segment().accepted().size() == 1
                    && FAKES.amplitude().accepted().size() == 1 && FAKES.mixpanel().accepted().size() == 1);
            for (String destination : List.of("segment", "amplitude", "mixpanel")) {
                assertEquals(Map.of("unreadable", 1L), hub.metrics().destination(destination).getDeadLetteredByReason(), destination);
            }
            // each dead letter holds the record as it was written, none of the fetched data around it
            String record = "{\"not\":\"an event\"";
            assertEquals(Map.of("segment", record, "amplitude", record, "mixpanel", record), deadLetteredRecords(topic + ".dlq"));

            // Data In: an Engage audience key longer than the store's column, then a plain identify
            String audience = "a".repeat(300);
            String longAudience = "{\"type\":\"identify\",\"userId\":\"user-1\",\"messageId\":\"m-long\",\"traits\":{\"" + audience
                    + "\":true},\"context\":{\"personas\":{\"computation_class\":\"audience\",\"computation_key\":\"" + audience + "\"}}}";
            kafka.send(new ProducerRecord<>("segment-" + topic, "user-1", longAudience)).get();
            kafka.send(new ProducerRecord<>("segment-" + topic, "user-2",
                    "{\"type\":\"identify\",\"userId\":\"user-2\",\"messageId\":\"m-2\",\"traits\":{\"plan\":\"pro\"}}")).get();
            await("the identify after the long audience", WAIT,
                    () -> "pro".equals(FAKES.onesignal().tags(Sandbox.ONESIGNAL_APP_ID, "user-2").get("plan")));

            // cohort updates: a push whose cohort id no store column takes (kept before the ingress refused such ids), then a good one
            String poison = "{\"source\":\"amplitude\",\"push\":{\"cohort_id\":\"" + "c".repeat(100) + "\",\"cohort_name\":\"Too Long\","
                    + "\"in_cohort\":true,\"message_id\":\"p-1\",\"users\":[{\"user_id\":\"user-1\"}]}}";
            // under the good push's key: the same partition, so the good push can only go after the poison is dealt with
            kafka.send(new ProducerRecord<>("cohorts-" + topic, "amplitude:c1", poison)).get();
            String good = "{\"cohort_id\":\"c1\",\"cohort_name\":\"After Poison\",\"in_cohort\":true,\"message_id\":\"p-2\","
                    + "\"users\":[{\"user_id\":\"user-3\"}]}";
            assertEquals(200, hub.post("/amplitude/cohorts", TestHub.INGRESS_TOKEN, good).statusCode());
            await("the push after the poison", WAIT, () -> FAKES.onesignal().members(Sandbox.ONESIGNAL_APP_ID, "After Poison")
                    .equals(List.of("user-3")));
            await("the poison dead-lettered", WAIT, () -> Map.of("poison", 1L).equals(hub.metrics().destination("cohorts").getDeadLetteredByReason()));
            assertEquals(400, hub.post("/amplitude/cohorts", TestHub.INGRESS_TOKEN, poison.substring(poison.indexOf("{\"cohort_id"),
                    poison.length() - 1)).statusCode(), "the ingress refuses such a cohort id now");
        }
    }

    /** Each destination's dead-lettered record, read from the start of the dead-letter topic to its end. */
    private static Map<String, String> deadLetteredRecords(String deadLetterTopic) throws Exception {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestHub.brokers());
        Map<String, String> records = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> letter : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode json = Json.readObject(letter.value());
                    records.put(json.path("destination").asText(), json.path("record").asText());
                }
            }
        }
        return records;
    }

    private static KafkaProducer<String, String> producer() throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestHub.brokers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }
}
