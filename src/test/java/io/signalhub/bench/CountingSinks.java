package io.signalhub.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import com.sun.net.httpserver.HttpServer;

/**
 * Count-only stand-ins for Segment, Amplitude and Mixpanel, for throughput runs: each reads the whole
 * body, counts its events by a marker every item carries once, and answers as the vendor answers a
 * success. No JSON parsing and nothing kept, so the sinks leave the CPU to the hub being measured.
 */
final class CountingSinks implements AutoCloseable {

    /** One vendor's sink: the path it answers, the marker counted, the success answer for n events. */
    private record Sink(String vendor, String path, byte[] marker, LongFunction<String> answer, AtomicLong events, AtomicLong requests) {
    }

    private final Map<String, Sink> sinks = new LinkedHashMap<>();
    private final HttpServer server;

    CountingSinks() throws IOException {
        add(new Sink("segment", "/v1/batch", bytes("\"type\":\"track\""), n -> "{\"success\":true}", new AtomicLong(), new AtomicLong()));
        add(new Sink("amplitude", "/2/httpapi", bytes("\"insert_id\""),
                n -> "{\"code\":200,\"events_ingested\":" + n + ",\"payload_size_bytes\":0,\"server_upload_time\":0}", new AtomicLong(), new AtomicLong()));
        add(new Sink("mixpanel", "/import", bytes("\"$insert_id\""),
                n -> "{\"code\":200,\"num_records_imported\":" + n + ",\"status\":\"OK\"}", new AtomicLong(), new AtomicLong()));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        for (Sink sink : sinks.values()) {
            server.createContext(sink.path(), exchange -> {
                long n;
                try (InputStream body = exchange.getRequestBody()) {
                    n = count(body.readAllBytes(), sink.marker());
                }
                sink.events().addAndGet(n);
                sink.requests().incrementAndGet();
                byte[] answer = bytes(sink.answer().apply(n));
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            });
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    private void add(Sink sink) {
        sinks.put(sink.vendor(), sink);
    }

    /** The hub settings that point the three destinations here (their credentials stay as they are). */
    Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        sinks.keySet().forEach(vendor -> settings.put("hub." + vendor + ".base-url", base));
        return settings;
    }

    long events(String vendor) {
        return sinks.get(vendor).events().get();
    }

    /** The requests all sinks took. */
    long requests() {
        return sinks.values().stream().mapToLong(s -> s.requests().get()).sum();
    }

    long least() {
        return sinks.values().stream().mapToLong(s -> s.events().get()).min().orElse(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static long count(byte[] body, byte[] marker) {
        long n = 0;
        outer:
        for (int i = 0; i <= body.length - marker.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (body[i + j] != marker[j]) {
                    continue outer;
                }
            }
            n++;
            i += marker.length - 1;
        }
        return n;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
