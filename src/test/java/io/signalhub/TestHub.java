package io.signalhub;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import io.signalhub.kafka.EmbeddedKafkaBroker;
import io.signalhub.monitoring.HubMetrics;
import io.signalhub.sandbox.Sandbox;
import org.apache.camel.main.Main;

/**
 * A real hub (the jar's Main, the YAML routes under routes/, config/application.properties) against
 * one in-process KRaft broker shared by the whole test run, and fakes that outlive hub restarts.
 */
public final class TestHub implements AutoCloseable {

    public static final String INGRESS_TOKEN = "test-ingress-token";
    public static final String ADMIN_TOKEN = "test-admin-token";
    /** The write key Segment's SDKs use to send to the hub's Tracking API. */
    public static final String SEGMENT_WRITE_KEY = "test-segment-write-key";

    private static EmbeddedKafkaBroker broker;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Main main;
    private final int port;
    private final int managementPort;

    private TestHub(Main main, int port, int managementPort) {
        this.main = main;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** The broker of this test run: the hub's own embedded broker class, started once. */
    public static synchronized String brokers() throws IOException {
        if (broker == null) {
            broker = new EmbeddedKafkaBroker(Files.createTempDirectory("signalhub-test-kafka"), 0);
            broker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
        }
        return broker.bootstrapServers();
    }

    /** Settings for a hub of its own topic and consumer group, delivering to the given fakes. */
    public static Map<String, String> settings(Sandbox fakes, String topic) throws IOException {
        Map<String, String> settings = new HashMap<>(fakes.settings());
        settings.put("hub.kafka.brokers", brokers());
        settings.put("hub.topics.onesignal-events", topic);
        settings.put("hub.kafka.group-id", "group-" + topic);
        settings.put("hub.data-dir", Files.createTempDirectory("signalhub-test-data").toString());
        settings.put("hub.ingress.token", INGRESS_TOKEN);
        settings.put("hub.admin.token", ADMIN_TOKEN);
        settings.put("hub.amplitude.throttle-wait-ms", "200");
        settings.put("hub.topics.segment-events", "segment-" + topic);
        settings.put("hub.topics.cohort-updates", "cohorts-" + topic);
        settings.put("hub.ingress.segment.write-keys", SEGMENT_WRITE_KEY);
        settings.put("hub.ingress.segment.shared-secret", Sandbox.SEGMENT_SHARED_SECRET);
        settings.put("hub.delivery.initial-backoff-ms", "50");
        settings.put("hub.delivery.max-backoff-ms", "400");
        return settings;
    }

    public static String newTopic() {
        return "events-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static TestHub start(Map<String, String> settings) throws Exception {
        Main main = SignalHub.create();
        int[] ports = freePorts(2);
        int port = ports[0];
        int managementPort = ports[1];
        main.addOverrideProperty("camel.server.port", String.valueOf(port));
        main.addOverrideProperty("camel.management.port", String.valueOf(managementPort));
        main.addOverrideProperty("camel.main.name", "hub-" + port);
        settings.forEach(main::addOverrideProperty);
        main.start();
        TestHub hub = new TestHub(main, port, managementPort);
        await("the hub to start", Duration.ofSeconds(30), () -> main.getCamelContext() != null
                && main.getCamelContext().isStarted());
        return hub;
    }

    /** Starts a hub that must not start: the messages of the failure and its causes, joined. */
    public static String refusedStart(Map<String, String> settings) {
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> start(settings).close(),
                "the hub started");
        StringBuilder reasons = new StringBuilder();
        for (Throwable cause = refused; cause != null; cause = cause.getCause()) {
            reasons.append(cause.getMessage()).append(" | ");
        }
        return reasons.toString();
    }

    public HubMetrics metrics() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("metrics", HubMetrics.class);
    }

    public HttpResponse<String> post(String path, String token, String body) throws Exception {
        return token == null ? post(path, body, Map.of()) : post(path, body, Map.of("Authorization", "Bearer " + token));
    }

    public HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        return send("POST", path, body, headers);
    }

    public HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET on the hub ({@code /…}) or its management server ({@code management:/observe/…}), with an optional bearer token. */
    public HttpResponse<String> get(String path, String token) {
        String url = path.startsWith("management:") ? managementUrl() + path.substring("management:".length()) : baseUrl() + path;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("GET " + url + " failed", e);
        }
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public String contextName() {
        return main.getCamelContext().getName();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public HttpResponse<String> postEvents(String body) throws Exception {
        return post("/onesignal/events", INGRESS_TOKEN, body);
    }

    @Override
    public void close() {
        main.stop();
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    public static int freePort() throws IOException {
        return freePorts(1)[0];
    }

    /** Distinct free ports: each socket stays bound until all are chosen, so the system cannot hand one out twice. */
    public static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

}
