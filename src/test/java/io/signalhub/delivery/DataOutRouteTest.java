package io.signalhub.delivery;

import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.signalhub.HubConfiguration;
import io.signalhub.TestHub;
import io.signalhub.monitoring.HubMetrics;
import io.signalhub.sandbox.Sandbox;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Segment destination route of data-out.camel.yaml on its own, in seconds: its Kafka consumer
 * replaced by a direct endpoint (AdviceWith) that is handed polled batches as Camel's Kafka batching
 * hands them over, the delivery templates of destinations.camel.yaml, and Segment's fake over HTTP.
 */
class DataOutRouteTest extends CamelMainTestSupport {

    private static final Sandbox FAKES = new Sandbox();

    @BeforeAll
    static void startFakes() {
        FAKES.start();
    }

    @AfterAll
    static void stopFakes() {
        FAKES.stop();
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:config/application.properties";
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(HubConfiguration.class);
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties settings = new Properties();
        try {
            settings.putAll(TestHub.settings(FAKES, TestHub.newTopic()));
            int[] ports = TestHub.freePorts(2);
            settings.put("camel.server.port", String.valueOf(ports[0]));
            settings.put("camel.management.port", String.valueOf(ports[1]));
            settings.put("hub.data-dir", Files.createTempDirectory("signalhub-route-test").toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // the destination route and what it calls, not the whole hub
        settings.put("camel.main.routes-include-pattern", "file:routes/data-out.camel.yaml,file:routes/destinations.camel.yaml,"
                + "file:routes/dead-letters.camel.yaml,file:routes/http-errors.camel.yaml");
        // only Segment: the others' consumers stay out of the way
        settings.put("hub.amplitude.api-key", "");
        settings.put("hub.mixpanel.project-token", "");
        settings.put("hub.mixpanel.service-account-username", "");
        return settings;
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    private void startWithBatchesFromDirect() throws Exception {
        FAKES.reset();
        AdviceWith.adviceWith(context, "data-out-segment", route -> route.replaceFromWith("direct:polled"));
        context.start();
    }

    /**
     * A poll as Camel's Kafka batching hands it over: one exchange per record in the body, its value a view into
     * the one buffer the records were fetched in, as Kafka's ByteBufferDeserializer gives it.
     */
    private List<Exchange> poll(String... values) {
        byte[] fetched = String.join("", values).getBytes(StandardCharsets.UTF_8);
        List<Exchange> records = new ArrayList<>();
        int at = 0;
        for (String value : values) {
            int length = value.getBytes(StandardCharsets.UTF_8).length;
            Exchange record = new DefaultExchange(context);
            record.getMessage().setHeader(KafkaConstants.KEY, "u1");
            record.getMessage().setHeader(KafkaConstants.TIMESTAMP, System.currentTimeMillis());
            record.getMessage().setBody(ByteBuffer.wrap(fetched, at, length).slice());
            records.add(record);
            at += length;
        }
        return records;
    }

    private static String event(String id, String kind) {
        return "{\"event\":{\"kind\":\"" + kind + "\",\"id\":\"" + id + "\",\"timestamp_ms\":1708559115000,"
                + "\"external_id\":\"u1\",\"subscription_id\":\"s1\",\"subscription_device_type\":\"iOS\"}}";
    }

    private HubMetrics metrics() {
        return context.getRegistry().lookupByNameAndType("metrics", HubMetrics.class);
    }

    @Test
    void routesByKindTranslatesAndSendsOneBatchedRequest() throws Exception {
        startWithBatchesFromDirect();
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("data-out-segment").whenDone(1).create();
        // message.email.clicked is not among the kinds Segment takes by default: skipped, not sent, not an error
        template.sendBody("direct:polled", poll(event("e1", "message.push.sent"), event("e2", "message.push.clicked"),
                event("e3", "message.email.clicked"), "not json"));
        assertTrue(done.matches(10, TimeUnit.SECONDS));
        assertEquals(1, FAKES.segment().requests(), "one request for the batch");
        assertEquals(List.of("Push Sent", "Push Clicked"),
                FAKES.segment().accepted().stream().map(e -> e.path("event").asText()).toList());
        assertEquals(1, metrics().destination("segment").getSkipped());
        assertEquals(1, metrics().destination("segment").getDeadLetteredByReason().get("unreadable"));
    }

    @Test
    void retryAfterIsTheWaitNotTheBackoff() throws Exception {
        startWithBatchesFromDirect();
        FAKES.segment().failNext(2, 429, 1);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("data-out-segment").whenDone(1).create();
        long start = System.nanoTime();
        template.sendBody("direct:polled", poll(event("r1", "message.push.sent")));
        assertTrue(done.matches(20, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 2.0 && seconds < 3.5, "two Retry-After: 1 waits took " + seconds + " s");
        assertEquals(3, FAKES.segment().requests());
        assertEquals(1, FAKES.segment().accepted().size());
        assertEquals(2, metrics().destination("segment").getRetried());
    }

    @Test
    void theThrottleTimesItsPermitsOnOneSharedThread() throws Exception {
        startWithBatchesFromDirect();
        for (int i = 0; i < 12; i++) {
            template.sendBody("direct:polled", poll(event("t" + i, "message.push.sent")));
        }
        assertEquals(12, FAKES.segment().requests());
        // Camel's own pool for a throttle grows by a thread a request up to ten
        long throttleThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().endsWith("- Throttle")).count();
        assertEquals(1, throttleThreads);
    }

    @Test
    void aRequestTheVendorRefusesIsDeadLetteredAndTheBatchCompletes() throws Exception {
        startWithBatchesFromDirect();
        FAKES.segment().failNext(1, 400, null);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("data-out-segment").whenCompleted(1).create();
        template.sendBody("direct:polled", poll(event("x1", "message.push.sent"), event("x2", "message.push.sent")));
        assertTrue(done.matches(10, TimeUnit.SECONDS), "a permanent refusal never loops");
        assertEquals(1, FAKES.segment().requests());
        assertEquals(2, metrics().destination("segment").getDeadLetteredByReason().get("http_400"));
    }
}
