package io.signalhub.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.ingress.InvalidInputException;
import io.signalhub.eventstreams.OneSignalEvent;
import io.signalhub.kafka.KafkaClients;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The dead-letter topic {@code <events topic>.dlq} of one chain: one JSON record per refused record,
 * with the destination, the reason and the vendor's answer, and the replay of those records, each to the
 * destination that refused it.
 */
public final class DeadLetters implements DeadLettersMXBean {

    /** Kafka header of a replayed record: the one destination it is for. */
    public static final String REPLAY_TO_HEADER = "signalhub-replay-to";
    private static final int MAX_RESPONSE_CHARS = 2000;

    /** The destination of records that could not be read as events: refused by all destinations. */
    public static final String UNREADABLE = "*";

    private final CamelContext camel;
    private final KafkaClients clients;
    private final String eventsTopic;
    private final List<String> destinations;
    private static final String REPLAY_GROUP = "signalhub-dead-letter-replay";
    private ProducerTemplate producer;

    private DeadLetters(CamelContext camel, KafkaClients clients, String eventsTopic, List<String> destinations) {
        this.camel = camel;
        this.clients = clients;
        this.eventsTopic = eventsTopic;
        this.destinations = List.copyOf(destinations);
    }

    /** Records the destinations refused for good: {@code <events topic>.dlq}. */
    public static DeadLetters deadLetters(CamelContext camel, KafkaClients clients, String eventsTopic, List<String> destinations) {
        return new DeadLetters(camel, clients, eventsTopic, destinations);
    }

    private synchronized ProducerTemplate producer() {
        if (producer == null) {
            producer = camel.createProducerTemplate();
        }
        return producer;
    }

    public String topic() {
        return eventsTopic + ".dlq";
    }

    public static Rejection rejection(OneSignalEvent event, String reason, int status, String response) {
        return new Rejection(event.userKey(), event.canonicalJson(), reason, status,
                Json.abbreviate(response, MAX_RESPONSE_CHARS));
    }

    public static List<Rejection> rejections(List<OneSignalEvent> events, String reason, int status, String response) {
        return events.stream().map(e -> rejection(e, reason, status, response)).toList();
    }

    /** Writes the rejections to the dead-letter topic and returns once Kafka has them all. */
    public void send(String destination, List<Rejection> rejections) {
        if (rejections.isEmpty()) {
            return;
        }
        List<Message> records = new ArrayList<>();
        for (Rejection rejection : rejections) {
            ObjectNode letter = Json.MAPPER.createObjectNode();
            letter.put("destination", destination);
            letter.put("reason", rejection.reason());
            if (rejection.status() > 0) {
                letter.put("status", rejection.status());
            }
            Json.putIfPresent(letter, "response", rejection.response());
            letter.put("dead_lettered_at", Instant.now().toString());
            letter.put("record", rejection.record());
            if (!rejection.headers().isEmpty()) {
                letter.set("headers", Json.MAPPER.valueToTree(rejection.headers()));
            }
            Message message = new DefaultMessage(camel);
            message.setHeader(KafkaConstants.KEY, rejection.key());
            message.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic());
            message.setBody(letter.toString());
            records.add(message);
        }
        // throws when Kafka did not take them: the batch is then retried, never committed without its dead letters
        producer().sendBody("direct:dead-letter", records);
    }

    /** {@code POST /admin/dead-letters/replay[?destination=…]}: replays and answers how many records went back. */
    public void replayAnswer(Exchange exchange) {
        String destination = exchange.getMessage().getHeader("destination", String.class);
        if (destination != null && !destination.isBlank() && !destinations.contains(destination.trim())) {
            throw new InvalidInputException("unknown destination '" + Json.abbreviate(destination, 40) + "'; one of " + destinations);
        }
        int replayed = replay(destination);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody("{\"replayed\":" + replayed + "}");
    }

    @Override
    public synchronized int replay(String destination) {
        if (destination != null && !destination.isBlank()) {
            if (!destinations.contains(destination.trim())) {
                throw new IllegalArgumentException("unknown destination '" + destination + "'; one of " + destinations);
            }
            return replayFor(destination.trim());
        }
        int replayed = 0;
        for (String each : destinations) {
            replayed += replayFor(each);
        }
        return replayed + replayFor(UNREADABLE);
    }

    /** Each destination keeps its own replay position, so replaying one never skips another's letters. */
    private int replayFor(String destination) {
        Map<String, Object> consumerProps = clients.config(Map.of(ConsumerConfig.GROUP_ID_CONFIG, REPLAY_GROUP + "-" + destination,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
        Map<String, Object> producerProps = clients.config(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"));
        int replayed = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer());
             KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic(), Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= end.get(tp)) {
                        continue;
                    }
                    JsonNode letter = Json.readObject(record.value());
                    if (destination.equals(letter.path("destination").asText())) {
                        ProducerRecord<String, String> again = new ProducerRecord<>(eventsTopic, record.key(), letter.path("record").asText());
                        letter.path("headers").fields().forEachRemaining(header ->
                                again.headers().add(header.getKey(), header.getValue().asText().getBytes(StandardCharsets.UTF_8)));
                        if (!destination.equals(UNREADABLE)) {
                            again.headers().add(REPLAY_TO_HEADER, destination.getBytes(StandardCharsets.UTF_8));
                        }
                        producer.send(again).get();
                        replayed++;
                    }
                    done.put(tp, new OffsetAndMetadata(record.offset() + 1));
                }
            }
            consumer.commitSync(done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the replay was interrupted after " + replayed + " records", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka did not take a replayed record after " + replayed + " records", e);
        }
        return replayed;
    }
}
