package io.signalhub.sandbox;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.signalhub.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sandbox's Event Streams against a real HTTP receiver: one event a request, retries, giving up, disabling. */
class EventStreamsEmitterTest {

    private final List<Integer> answers = new ArrayList<>();
    private final List<String> bodies = new ArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;

    private EventStreamsEmitter emitter(String template, int disableAfter) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/events", exchange -> {
            requests.incrementAndGet();
            synchronized (bodies) {
                bodies.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Authorization") + " "
                        + new String(exchange.getRequestBody().readAllBytes()));
            }
            int status;
            synchronized (answers) {
                status = answers.isEmpty() ? 200 : answers.remove(0);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return new EventStreamsEmitter(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events"), "PUT",
                Map.of("Authorization", "Bearer t"), template, 3, 50, disableAfter);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void eachEventIsOneRequestOfTheTemplateWithItsFieldsEscaped() throws Exception {
        try (EventStreamsEmitter emitter = emitter(EventStreamsEmitter.DOCUMENTED_TEMPLATE, 5)) {
            emitter.emit(Map.of("event.kind", "message.push.sent", "message.title", "{'en':'Say \"hi\"'}"));
            emitter.emit(Map.of("event.kind", "message.push.received"));
            await("two requests", Duration.ofSeconds(10), () -> emitter.delivered().size() == 2);
            assertEquals(2, requests.get());
            String first = bodies.get(0);
            assertTrue(first.startsWith("PUT Bearer t {"), first);
            JsonNode event = Json.MAPPER.readTree(first.substring("PUT Bearer t ".length()));
            assertEquals("message.push.sent", event.path("event.kind").asText());
            assertEquals("{'en':'Say \"hi\"'}", event.path("message.title").asText());
            assertEquals(emitter.delivered().get(0), event.path("event.id").asText());
            assertTrue(event.path("event.timestamp").asText().matches("\\d{10}"), event.toString());
            assertEquals("", event.path("message.url").asText(), "absent fields render empty");
        }
    }

    @Test
    void throttlingAndServerErrorsAreRetriedThenTheEventFailsAndTooManyInARowDisableTheStream() throws Exception {
        try (EventStreamsEmitter emitter = emitter("{\"event.id\":\"{{ event.id }}\"}", 2)) {
            answers.addAll(List.of(429, 503));
            emitter.emit(Map.of("event.kind", "message.push.sent"));
            await("delivered on the third try", Duration.ofSeconds(10), () -> emitter.delivered().size() == 1);
            assertEquals(3, requests.get());

            answers.addAll(List.of(500, 500, 500, 400));
            emitter.emit(Map.of("event.kind", "message.push.sent"));
            emitter.emit(Map.of("event.kind", "message.push.sent"));
            await("both failed for good", Duration.ofSeconds(10), emitter::disabled);
            assertEquals(2, emitter.failedPermanently());
            assertEquals(3 + 3 + 1, requests.get(), "three tries of a 5xx, one of a 400");
            emitter.emit(Map.of("event.kind", "message.push.sent"));
            Thread.sleep(300);
            assertEquals(7, requests.get(), "a disabled stream sends nothing");
        }
    }
}
