package io.signalhub.bench;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.signalhub.TestHub;
import io.signalhub.sandbox.Sandbox;

/**
 * Data Out through the whole chain on this machine: HTTP ingress → Kafka → translators → the three
 * vendor fakes over loopback. Prints ingress events/s with ack latency percentiles, end-to-end
 * delivered events/s, and heap. Not a test: run it with bench/data-out.sh [events] [events-per-request] [connections].
 */
public final class DataOutBenchmark {

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perRequest = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Sandbox fakes = new Sandbox();
        fakes.start();
        Map<String, String> settings = TestHub.settings(fakes, TestHub.newTopic());
        settings.put("hub.segment.rate-limit", "10000");
        settings.put("hub.amplitude.rate-limit", "10000");
        settings.put("hub.mixpanel.rate-limit", "10000");
        fakes.amplitude().throttleAbove(1_000_000, 30_000);
        try (TestHub hub = TestHub.start(settings)) {
            int requests = events / perRequest;
            long[] latencies = new long[requests];
            ExecutorService pool = Executors.newFixedThreadPool(connections);
            long start = System.nanoTime();
            List<Future<?>> sent = new ArrayList<>();
            for (int r = 0; r < requests; r++) {
                int request = r;
                sent.add(pool.submit(() -> {
                    StringBuilder body = new StringBuilder("[");
                    for (int i = 0; i < perRequest; i++) {
                        int n = request * perRequest + i;
                        body.append(i == 0 ? "" : ",").append("{\"event.kind\":\"message.push.sent\",\"event.id\":\"bench-")
                                .append(n).append("\",\"event.timestamp\":1708559115,\"event.subscription_id\":\"sub-")
                                .append(n % 5000).append("\",\"event.external_id\":\"user-").append(n % 5000)
                                .append("\",\"message.id\":\"m-1\",\"message.name\":\"bench\",\"user.language\":\"en\"}");
                    }
                    long t0 = System.nanoTime();
                    HttpResponse<String> response = hub.postEvents(body.append(']').toString());
                    latencies[request] = System.nanoTime() - t0;
                    if (response.statusCode() != 202) {
                        throw new IllegalStateException("ingress answered " + response.statusCode() + ": " + response.body());
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            double ingressSeconds = (System.nanoTime() - start) / 1e9;
            int total = requests * perRequest;
            TestHub.await("delivery", Duration.ofMinutes(10), () -> fakes.segment().accepted().size() >= total
                    && fakes.amplitude().accepted().size() >= total && fakes.mixpanel().accepted().size() >= total);
            double endToEndSeconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            Arrays.sort(latencies);
            System.out.printf("%nData Out benchmark: %d events, %d per request, %d connections, %d cores%n",
                    total, perRequest, connections, Runtime.getRuntime().availableProcessors());
            System.out.printf("  ingress (202 after Kafka acks): %.0f events/s, ack latency per request p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms%n",
                    total / ingressSeconds, pct(latencies, 50), pct(latencies, 99), pct(latencies, 99.9));
            System.out.printf("  delivered to Segment, Amplitude and Mixpanel: %.0f events/s end to end (%.1f s)%n",
                    total / endToEndSeconds, endToEndSeconds);
            System.out.printf("  requests: Segment %d, Amplitude %d, Mixpanel %d%n",
                    fakes.segment().requests(), fakes.amplitude().requests(), fakes.mixpanel().requests());
            System.out.printf("  heap used %d MB (hub, broker and fakes share this JVM), peak RSS %s%n",
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20, peakRss());
        } finally {
            fakes.stop();
        }
        System.exit(0);
    }

    static double pct(long[] sorted, double percentile) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    static String peakRss() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM")).map(l -> l.replaceAll("\\s+", " ").substring(7)).findFirst().orElse("n/a");
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }
}
