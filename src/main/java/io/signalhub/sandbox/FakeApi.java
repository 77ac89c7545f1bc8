package io.signalhub.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.signalhub.Json;
import io.signalhub.ingress.BasicCredentials;

/**
 * A stand-in, faithful to the vendor's documentation, for one vendor API over real HTTP on loopback. It keeps every event it
 * accepted and counts every event it was sent, and it can be told to fail (5xx, 429 with Retry-After)
 * the way the real API does, for the tests and the sandbox mode.
 */
public abstract class FakeApi {

    /** An answer: status, JSON (or empty) body and extra headers. */
    protected record Reply(int status, String body, Map<String, String> headers) {
        static Reply json(int status, String body) {
            return new Reply(status, body, Map.of());
        }
    }

    private record Fault(int status, String body, Integer retryAfterSeconds) {
    }

    private final String name;
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<JsonNode> accepted = new ArrayList<>();
    private Consumer<JsonNode> acceptedListener;
    private int requests;
    private int eventsSent;
    private HttpServer server;
    private ExecutorService executor;

    protected FakeApi(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public synchronized void start(int port) throws IOException {
        // the JDK server writes headers and body apart: without TCP_NODELAY each small answer waits ~40 ms
        // for the client's delayed ACK, which no real vendor API does
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code count} requests fail with this status (and Retry-After, when given). */
    public synchronized void failNext(int count, int status, Integer retryAfterSeconds) {
        for (int i = 0; i < count; i++) {
            faults.add(new Fault(status, faultBody(status), retryAfterSeconds));
        }
    }

    /** Stops failing: the scripted failures not yet served are dropped. */
    public synchronized void recover() {
        faults.clear();
    }

    public synchronized List<JsonNode> accepted() {
        return List.copyOf(accepted);
    }

    /** Every event of every request received, accepted or not. */
    public synchronized int eventsSent() {
        return eventsSent;
    }

    public synchronized int requests() {
        return requests;
    }

    public synchronized void reset() {
        faults.clear();
        accepted.clear();
        requests = 0;
        eventsSent = 0;
        resetState();
    }

    /** What the fake holds, for {@code GET /sandbox/requests}: counts and the latest accepted events. */
    public synchronized ObjectNode summary(int latest) {
        ObjectNode summary = Json.MAPPER.createObjectNode();
        summary.put("base_url", baseUrl());
        summary.put("requests", requests);
        summary.put("events_sent", eventsSent);
        summary.put("events_accepted", accepted.size());
        ArrayNode events = summary.putArray("latest_events");
        accepted.subList(Math.max(0, accepted.size() - latest), accepted.size()).forEach(events::add);
        describe(summary);
        return summary;
    }

    /** Adds what else the fake holds to its summary. */
    protected void describe(ObjectNode summary) {
    }

    protected abstract Reply handle(String method, String path, String query, Map<String, List<String>> headers, byte[] body);

    protected abstract String faultBody(int status);

    protected void resetState() {
    }

    protected synchronized void recordSent(int events) {
        eventsSent += events;
    }

    protected synchronized void recordAccepted(JsonNode event) {
        if (acceptedListener == null) {
            accepted.add(event);
        } else {
            acceptedListener.accept(event);
        }
    }

    /**
     * From now on each accepted event goes to the listener as it arrives instead of being kept (a long
     * benchmark times deliveries with it and would not fit millions of kept events in memory).
     */
    public synchronized void onAccepted(Consumer<JsonNode> listener) {
        acceptedListener = listener;
    }

    /** The HTTP Basic credentials of the request, or null. */
    protected static BasicCredentials basicCredentials(Map<String, List<String>> headers) {
        return BasicCredentials.of(first(headers, "Authorization"));
    }

    protected static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey() != null && header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                return header.getValue().get(0);
            }
        }
        return null;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if ("gzip".equalsIgnoreCase(first(exchange.getRequestHeaders(), "Content-Encoding"))) {
                try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            Reply reply;
            Fault fault;
            synchronized (this) {
                requests++;
                fault = faults.poll();
            }
            if (fault != null) {
                reply = new Reply(fault.status(), fault.body(),
                        fault.retryAfterSeconds() == null ? Map.of() : Map.of("Retry-After", fault.retryAfterSeconds().toString()));
            } else {
                reply = handle(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body);
            }
            byte[] answer = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(reply.status(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }
}
