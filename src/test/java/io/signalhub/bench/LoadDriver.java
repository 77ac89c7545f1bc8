package io.signalhub.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import io.signalhub.DockerfileSettings;
import io.signalhub.HubProcess;
import io.signalhub.TestHub;
import io.signalhub.sandbox.Sandbox;

/**
 * The load driver: the packaged hub ({@code target/signalhub.jar}) runs as its own process on its
 * embedded defaults (KRaft broker in-process, H2 store) with a capped heap and the serial collector; this process holds the
 * vendor fakes and makes the load. Prints, per scenario, events/s, ack and end-to-end latency
 * percentiles, and the hub's peak RSS, heap and CPU. Run it with {@code bench/run.sh [scenario ...]}:
 * ingest (one event per request: a bare Camel platform-http → Kafka route, the hub ingesting only and the hub delivering, turn by turn;
 * batched bodies), http (Data Out, one event per request), kafka (Data Out from a pre-filled topic), sinks (the same to
 * count-only sinks, beside a bare Camel Kafka consumer), data-in
 * ({@code /v1/batch}), cohort (a 1,000,000-member cohort: first sync and a 1% change). Sizes can be
 * set with -Dbench.events=…, -Dbench.connections=…, -Dbench.members=…, the hub's heap with -Dbench.hub-heap=….
 */
public final class LoadDriver {

    private static final Path JAR = Path.of("target", "signalhub.jar");
    /** The hub's heap; "none": no memory option at all, the README's plain {@code java -jar} (the hub's own defaults). */
    private static final String HUB_HEAP = System.getProperty("bench.hub-heap", "256m");
    /** More JVM options for the hub, e.g. -XX:StartFlightRecording=filename=hub-{name}.jfr to profile it ({name}: the hub's). */
    private static final String HUB_OPTIONS = System.getProperty("bench.hub-options", "");
    /** JVM options of the ingest scenario's variant hub only, after {@code bench.hub-options} (a later option wins). */
    private static final String VARIANT_OPTIONS = System.getProperty("bench.variant-options", "");
    private static final long RUN_ID = System.currentTimeMillis();
    private static final long WARM_UP_ID = RUN_ID + 1;
    private final AtomicInteger warmUpEvents = new AtomicInteger();
    /** Segment's Basic authentication with the hub's test write key (the key as user name, no password). */
    private static final String SEGMENT_BASIC = "Basic "
            + Base64.getEncoder().encodeToString((TestHub.SEGMENT_WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8));
    private static final Duration WARM_UP = Duration.ofSeconds(Integer.getInteger("bench.warm-up-seconds", 30));
    private static final Duration WARM_UP_MAX = Duration.ofSeconds(Integer.getInteger("bench.warm-up-max-seconds", 180));
    /** Compile time in 10 s of load under which a process counts as warm: its compiler threads under 5 % of two cores. */
    private static final Duration JIT_SETTLED = Duration.ofMillis(1000);

    private final Sandbox fakes = new Sandbox();

    public static void main(String[] args) throws Exception {
        List<String> scenarios = args.length == 0 ? List.of("ingest", "http", "kafka", "sinks", "data-in", "cohort") : Arrays.asList(args);
        LoadDriver driver = new LoadDriver();
        driver.fakes.start();
        // the benchmark measures the hub: the fakes take whatever it sends
        driver.fakes.amplitude().throttleAbove(Integer.MAX_VALUE, 30_000);
        System.out.printf("signalhub load driver: %d cores, hub heap -Xmx%s, %s%n", Runtime.getRuntime().availableProcessors(),
                HUB_HEAP, System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try {
            for (String scenario : scenarios) {
                switch (scenario) {
                    case "ingest" -> driver.ingestSideBySide(Integer.getInteger("bench.events", 100_000), Integer.getInteger("bench.connections", 64));
                    case "http" -> driver.dataOutOverHttp(Integer.getInteger("bench.events", 100_000), Integer.getInteger("bench.connections", 32));
                    case "kafka" -> driver.dataOutFromKafka(Integer.getInteger("bench.events", 500_000));
                    case "sinks" -> driver.dataOutToCountingSinks(Integer.getInteger("bench.events", 500_000));
                    case "data-in" -> driver.dataIn(Integer.getInteger("bench.events", 100_000), Integer.getInteger("bench.connections", 8));
                    case "cohort" -> driver.cohort(Integer.getInteger("bench.members", 1_000_000));
                    default -> throw new IllegalArgumentException("unknown scenario " + scenario + "; one of ingest, http, kafka, sinks, data-in, cohort");
                }
                driver.fakes.reset();
                driver.fakes.amplitude().throttleAbove(Integer.MAX_VALUE, 30_000);
            }
        } finally {
            driver.fakes.stop();
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------------------------------------------- scenarios

    /**
     * (e) HTTP ingest side by side, one event per request: the bare Camel route ({@link BareIngest}, its own
     * process with the hub's heap and collector), the hub with no destination, and a second hub with all three
     * destinations delivering to count-only sinks take the same load turn by turn, all into a hub's broker with
     * acks=all; then batched bodies (Event Streams arrays of 1,000 events, Segment's /v1/batch). All three serve
     * at once and take their turns one after another, so a ratio compares turns taken a few seconds apart: this
     * machine's speed drifts by more than the targets' margins over minutes.
     */
    void ingestSideBySide(int events, int connections) throws Exception {
        Map<String, String> settings = withoutDestinations(dataOutSettings());
        String brokers = "127.0.0.1:" + settings.get("hub.kafka.embedded-port");
        String token = "Bearer " + TestHub.INGRESS_TOKEN;
        int rounds = Integer.getInteger("bench.rounds", 5);
        int users = knownUsers(10_000);
        Map<String, String> variant = settingsOf(System.getProperty("bench.variant", ""));
        String variantLabel = String.join(" ", variant.isEmpty() ? "" : variant.toString(), VARIANT_OPTIONS).trim();
        try (CountingSinks sinks = new CountingSinks()) {
            Map<String, String> toSinks = dataOutSettings();
            toSinks.putAll(sinks.settings());
            Map<String, String> variantToSinks = dataOutSettings();
            variantToSinks.putAll(sinks.settings());
            variantToSinks.putAll(variant);
            try (HubProcess hub = startHub("ingest", settings); BareRoute ingest = BareRoute.start(brokers);
                 HubProcess deliveringHub = startHub("ingest-sinks", toSinks);
                 HubProcess variantHub = variant.isEmpty() && VARIANT_OPTIONS.isBlank() ? null
                         : startHub("ingest-variant", variantToSinks, VARIANT_OPTIONS)) {
                URI hubEvents = URI.create(hub.baseUrl() + "/onesignal/events");
                warmUp(() -> single(ingest.events(), null, WARM_UP_ID, warmUpEvents.incrementAndGet()), connections, ingest.pid());
                warmUp(() -> single(hubEvents, token, WARM_UP_ID, warmUpEvents.incrementAndGet()), connections, hub.hubPid());
                List<DeliveringTurns> deliveringHubs = new ArrayList<>(List.of(
                        new DeliveringTurns("hub, three destinations delivering", deliveringHub, sinks)));
                if (variantHub != null) {
                    deliveringHubs.add(new DeliveringTurns("hub delivering, " + variantLabel, variantHub, sinks));
                }
                for (DeliveringTurns delivering : deliveringHubs) {
                    delivering.warmUp(connections, token);
                }
                List<Ingest> bare = new ArrayList<>();
                List<Ingest> alone = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    long run = RUN_ID + 10 + round;
                    bare.add(measure(events, connections, n -> single(ingest.events(), null, run, n), ingest.pid(), hub.hubPid()));
                    alone.add(measure(events, connections, n -> single(hubEvents, token, run, n), hub.hubPid()));
                    // the variant goes second in one round and first in the next: neither always follows the ingest-only turn
                    List<DeliveringTurns> inTurn = new ArrayList<>(deliveringHubs);
                    if (round % 2 == 1) {
                        Collections.reverse(inTurn);
                    }
                    for (DeliveringTurns delivering : inTurn) {
                        delivering.turn(events, connections, token, run);
                    }
                }
                System.out.printf("%n(e) HTTP ingest side by side: %,d events a turn, one per request, %d connections, %d turns each,"
                        + " both into the hub's broker (acks=all, idempotence)%n", events, connections, rounds);
                for (int round = 0; round < rounds; round++) {
                    bare.get(round).print("bare Camel route, turn " + (round + 1));
                    alone.get(round).print("hub, no destination, turn " + (round + 1));
                    for (DeliveringTurns delivering : deliveringHubs) {
                        delivering.print(round);
                    }
                }
                printRatio("hub / bare Camel", alone, bare);
                printRatio("delivering / ingest only", deliveringHubs.get(0).turns, alone);
                if (variantHub != null) {
                    printRatio("delivering with " + variantLabel + " / ingest only", deliveringHubs.get(1).turns, alone);
                    printRatio("delivering with " + variantLabel + " / without", deliveringHubs.get(1).turns, deliveringHubs.get(0).turns);
                }
                int batchSize = 1000;
                int requests = Math.max(50, events / batchSize * 2);
                Ingest batched = measure(requests, 8, r -> expect(202, send(hubEvents, batch(r * batchSize, batchSize), token)), hub.hubPid());
                Ingest bareBatched = measure(requests, 8, r -> expect(202, send(ingest.events(), batch(r * batchSize, batchSize), null)),
                        ingest.pid(), hub.hubPid());
                System.out.printf("    batched, %d events a request, 8 connections:%n", batchSize);
                bareBatched.print("bare Camel route (each body one record)", batchSize);
                batched.print("hub, /onesignal/events", batchSize);
                URI segmentBatch = URI.create(deliveringHub.baseUrl() + "/v1/batch");
                int messages = 100;
                measure(events / messages, 8, r -> expect(200, send(segmentBatch, segmentBatch(r * messages, messages, users), SEGMENT_BASIC)),
                        deliveringHub.hubPid()).print("hub, Segment /v1/batch (identify and track, Data In applying)", messages);
            }
        }
    }

    /** The turns of a hub delivering to the count-only sinks: each ends once every sink has the turn's events. */
    private final class DeliveringTurns {
        private final String label;
        private final HubProcess hub;
        private final URI events;
        private final CountingSinks sinks;
        private final List<Ingest> turns = new ArrayList<>();
        private final List<Double> perRequest = new ArrayList<>();
        private final List<Double> catchUp = new ArrayList<>();

        DeliveringTurns(String label, HubProcess hub, CountingSinks sinks) {
            this.label = label;
            this.hub = hub;
            this.events = URI.create(hub.baseUrl() + "/onesignal/events");
            this.sinks = sinks;
        }

        void warmUp(int connections, String token) throws Exception {
            long before = sinks.least();
            AtomicLong sent = new AtomicLong();
            LoadDriver.warmUp(() -> {
                single(events, token, WARM_UP_ID, warmUpEvents.incrementAndGet());
                sent.incrementAndGet();
            }, connections, hub.hubPid());
            awaitSinks(sinks, before + sent.get(), System.nanoTime() + Duration.ofMinutes(5).toNanos());
        }

        void turn(int count, int connections, String token, long run) throws Exception {
            long before = sinks.least();
            long requestsBefore = sinks.requests();
            turns.add(measure(count, connections, n -> single(events, token, run, n), hub.hubPid()));
            long acknowledged = System.nanoTime();
            awaitSinks(sinks, before + count, System.nanoTime() + Duration.ofMinutes(5).toNanos());
            catchUp.add((System.nanoTime() - acknowledged) / 1e6);
            perRequest.add(3.0 * count / (sinks.requests() - requestsBefore));
        }

        void print(int round) {
            turns.get(round).print(label + ", turn " + (round + 1));
            System.out.printf("    (the three destinations sent %.0f events a request on average; the last reached every sink"
                    + " %.0f ms after the last acknowledgement)%n", perRequest.get(round), catchUp.get(round));
        }
    }

    /** Hub settings written as {@code key=value,key=value}. */
    private static Map<String, String> settingsOf(String text) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String setting : text.split(",")) {
            if (!setting.isBlank()) {
                String[] keyValue = setting.split("=", 2);
                settings.put(keyValue[0].trim(), keyValue.length > 1 ? keyValue[1].trim() : "");
            }
        }
        return settings;
    }

    /** The ratio of the best turns, turn by turn (each pair seconds apart), and the median of those. */
    private static void printRatio(String label, List<Ingest> measured, List<Ingest> against) {
        double[] turns = new double[measured.size()];
        System.out.printf("    %s, best turn of each: %.2f (turn by turn:", label, best(measured).rate() / best(against).rate());
        for (int round = 0; round < turns.length; round++) {
            turns[round] = measured.get(round).rate() / against.get(round).rate();
            System.out.printf(" %.2f", turns[round]);
        }
        Arrays.sort(turns);
        double median = turns.length % 2 == 1 ? turns[turns.length / 2] : (turns[turns.length / 2 - 1] + turns[turns.length / 2]) / 2;
        System.out.printf("; median %.2f)%n", median);
    }

    /** One event in a request of its own, answered 202 once Kafka has it. */
    private static void single(URI uri, String authorization, long run, int n) {
        expect(202, send(uri, event(run, n), authorization));
    }

    /** What one turn of ingest measured: requests/s, ack latencies, CPU of the processes involved, peak RSS of the first. */
    private record Ingest(double rate, long[] ack, double cpuMicros, long rssMb) {

        void print(String label) {
            print(label, 1);
        }

        void print(String label, int eventsPerRequest) {
            System.out.printf("    %-52s %,9.0f events/s  ack p50 %5.1f ms  p99 %5.1f ms  p99.9 %5.1f ms  %5.1f µs CPU an event  RSS %d MB%n",
                    label, rate * eventsPerRequest, pct(ack, 50), pct(ack, 99), pct(ack, 99.9), cpuMicros / eventsPerRequest, rssMb);
        }
    }

    private static Ingest best(List<Ingest> turns) {
        return turns.stream().max(java.util.Comparator.comparingDouble(Ingest::rate)).orElseThrow();
    }

    /** {@code requests} requests from {@code connections} threads; CPU summed over the given processes (the server, the broker). */
    private static Ingest measure(int requests, int connections, IntConsumer request, long... pids) throws Exception {
        long[] ack = new long[requests];
        double cpu = 0;
        for (long pid : pids) {
            cpu -= HubProcess.cpuSeconds(pid);
        }
        long start = System.nanoTime();
        inParallel(connections, requests, n -> {
            long sent = System.nanoTime();
            request.accept(n);
            ack[n] = System.nanoTime() - sent;
        });
        double seconds = seconds(start);
        for (long pid : pids) {
            cpu += HubProcess.cpuSeconds(pid);
        }
        Arrays.sort(ack);
        return new Ingest(requests / seconds, ack, cpu * 1e6 / requests, HubProcess.memoryKb(pids[0], "VmHWM") >> 10);
    }

    /** The bare Camel route's process, started from this classpath with the hub's memory settings. */
    private record BareRoute(Process process, URI events) implements AutoCloseable {

        static BareRoute start(String brokers) throws Exception {
            int port = TestHub.freePort();
            Path log = Path.of("target", "hub-processes", "bare-ingest.log");
            Files.createDirectories(log.getParent());
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            // the memory the hub runs with: given, or the hub's own defaults where none is given
            command.addAll(HUB_HEAP.equals("none") ? DockerfileSettings.javaOptions() : memoryOptions());
            command.addAll(extraOptions("bare"));
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BareIngest.class.getName(),
                    String.valueOf(port), brokers, "bench.bare"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            BareRoute bare = new BareRoute(process, URI.create("http://127.0.0.1:" + port + "/events"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    if (send(bare.events(), event(WARM_UP_ID, 0), null).statusCode() == 202) {
                        return bare;
                    }
                } catch (IllegalStateException notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IllegalStateException("the bare Camel route did not start; see " + log, notYet);
                    }
                }
                Thread.sleep(100);
            }
        }

        long pid() {
            return process.pid();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    /** (a) Data Out over HTTP: one event per request from many connections, each acknowledged after Kafka has it. */
    void dataOutOverHttp(int events, int connections) throws Exception {
        try (HubProcess hub = startHub("http", dataOutSettings())) {
            warmUp(() -> {
                for (int i = 0; i < 200; i++) {
                    expect(202, post(hub, "/onesignal/events", event(WARM_UP_ID, warmUpEvents.incrementAndGet()),
                            "Bearer " + TestHub.INGRESS_TOKEN));
                }
            }, connections, hub.hubPid());
            fakes.reset();
            Deliveries deliveries = new Deliveries(events);
            Usage usage = new Usage(hub);
            long[] ack = new long[events];
            long start = System.nanoTime();
            inParallel(connections, events, n -> {
                String body = event(n);
                long sent = System.nanoTime();
                deliveries.sent(n, sent);
                expect(202, post(hub, "/onesignal/events", body, "Bearer " + TestHub.INGRESS_TOKEN));
                ack[n] = System.nanoTime() - sent;
            });
            double ingressSeconds = seconds(start);
            deliveries.await(Duration.ofMinutes(10));
            double endToEndSeconds = (deliveries.lastDelivered() - start) / 1e9;
            usage.stop();
            Arrays.sort(ack);
            System.out.printf("%n(a) Data Out over HTTP: %,d events, one per request, %d connections%n", events, connections);
            System.out.printf("    ingress   %,8.0f events/s   ack p50 %.1f ms  p99 %.1f ms  p99.9 %.1f ms%n",
                    events / ingressSeconds, pct(ack, 50), pct(ack, 99), pct(ack, 99.9));
            System.out.printf("    delivered %,8.0f events/s to Segment, Amplitude and Mixpanel   end to end p50 %.0f ms  p99 %.0f ms%n",
                    events / endToEndSeconds, deliveries.percentile(50), deliveries.percentile(99));
            usage.print();
        }
    }

    /** (b) Data Out from a topic filled beforehand: the hub starts on a full backlog with all three destinations on. */
    void dataOutFromKafka(int events) throws Exception {
        Map<String, String> settings = dataOutSettings();
        try (HubProcess hub = startHub("kafka-fill", withoutDestinations(settings))) {
            fill(hub, events);
        }
        Deliveries deliveries = new Deliveries(events);
        settings.put("hub.kafka.group-id", "bench-delivery");
        try (HubProcess hub = startHub("kafka", settings)) {
            Usage usage = new Usage(hub);
            long start = System.nanoTime();
            deliveries.sentAll(start);
            deliveries.await(Duration.ofMinutes(20));
            double seconds = (deliveries.lastDelivered() - start) / 1e9;
            usage.stop();
            System.out.printf("%n(b) Data Out from Kafka: %,d events waiting in the topic, all three destinations on%n", events);
            System.out.printf("    delivered %,8.0f events/s to Segment, Amplitude and Mixpanel (%.1f s; requests: Segment %,d, Amplitude %,d, Mixpanel %,d)%n",
                    events / seconds, seconds, fakes.segment().requests(), fakes.amplitude().requests(), fakes.mixpanel().requests());
            usage.print();
        }
    }

    /**
     * (b') Data Out from a pre-filled topic to count-only sinks (they read each body, count its events and
     * answer as the vendor does), beside a bare Camel Kafka consumer reading the same topic in the same run:
     * the hub's own ceiling, with CPU per event, not the fakes'.
     */
    void dataOutToCountingSinks(int events) throws Exception {
        Map<String, String> settings = dataOutSettings();
        String brokers = "127.0.0.1:" + settings.get("hub.kafka.embedded-port");
        // the hub's first events run while the JIT compiles its hot paths: they are delivered before the measurement
        // (200,000 left C2 still compiling through the measured part on two cores: a fifth of the CPU, 30 % slower)
        int warmUp = Integer.getInteger("bench.warm-up-events", 600_000);
        int total = warmUp + events;
        Bare one;
        Bare three;
        try (HubProcess hub = startHub("sinks-fill", withoutDestinations(settings))) {
            fill(hub, total);
            one = bareConsumers(hub, brokers, total, 1);
            three = bareConsumers(hub, brokers, total, 3);
        }
        try (CountingSinks sinks = new CountingSinks()) {
            settings.putAll(sinks.settings());
            settings.put("hub.kafka.group-id", "bench-sinks");
            try (HubProcess hub = startHub("sinks", settings)) {
                long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
                awaitSinks(sinks, warmUp, deadline);
                Usage usage = new Usage(hub);
                long start = System.nanoTime();
                awaitSinks(sinks, total, deadline);
                double seconds = seconds(start);
                usage.stop();
                System.out.printf("%n(b') Data Out from Kafka to count-only sinks: %,d events waiting in the topic, the first %,d"
                        + " delivered before the measurement%n", total, warmUp);
                System.out.printf("    bare Camel Kafka consumer (count only), one group:    %,8.0f events/s, %.1f µs CPU per event (consumer + broker)%n",
                        one.rate(), one.micros());
                System.out.printf("    bare Camel Kafka consumers, three groups (the hub's): %,8.0f events/s to each, %.1f µs CPU per event%n",
                        three.rate(), three.micros());
                System.out.printf("    hub, all three destinations:           %,8.0f events/s delivered to each (Segment %,d, Amplitude %,d,"
                        + " Mixpanel %,d), %.1f µs hub CPU per event (broker included); %.2f of the bare consumer's rate%n",
                        events / seconds, sinks.events("segment"), sinks.events("amplitude"), sinks.events("mixpanel"),
                        usage.cpuSeconds() * 1e6 / events, events / seconds / one.rate());
                usage.print();
            }
        }
    }

    private static void awaitSinks(CountingSinks sinks, long events, long deadline) throws InterruptedException {
        while (sinks.least() < events) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + sinks.least() + " of " + events + " events reached every sink");
            }
            Thread.sleep(5);
        }
    }

    /** What bare Camel Kafka consumers that only count took to read the whole topic. */
    private record Bare(double rate, double micros) {
    }

    /**
     * The baseline: {@code groups} bare Camel Kafka consumers in consumer groups of their own (the same
     * batching as the hub's), counting records and nothing else, against the same broker; the CPU is this
     * JVM's and the broker's (in the hub process).
     */
    private static Bare bareConsumers(HubProcess hub, String brokers, int events, int groups) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        AtomicLong[] seen = new AtomicLong[groups];
        try (org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            for (int g = 0; g < groups; g++) {
                AtomicLong count = seen[g] = new AtomicLong();
                String group = "bench-bare-" + groups + "-" + g;
                org.apache.camel.builder.RouteBuilder.addRoutes(camel, routes -> routes
                        .from("kafka:onesignal.events?brokers=" + brokers + "&groupId=" + group
                                + "&autoOffsetReset=earliest&autoCommitEnable=false&batching=true&maxPollRecords=1000"
                                + "&pollTimeoutMs=200&batchingIntervalMs=250")
                        .process(e -> count.addAndGet(e.getMessage().getBody(List.class).size())));
            }
            double brokerCpu = hub.cpuSeconds();
            long cpu = os.getProcessCpuTime();
            long start = System.nanoTime();
            camel.start();
            while (Arrays.stream(seen).anyMatch(count -> count.get() < events)) {
                Thread.sleep(5);
            }
            double seconds = seconds(start);
            return new Bare(events / seconds, ((os.getProcessCpuTime() - cpu) / 1e3 + (hub.cpuSeconds() - brokerCpu) * 1e6) / events);
        }
    }

    /** The same hub with no destination: what it takes in stays in the topic for the consumers measured after it. */
    private static Map<String, String> withoutDestinations(Map<String, String> settings) {
        Map<String, String> filling = new LinkedHashMap<>(settings);
        filling.put("hub.segment.write-key", "");
        filling.put("hub.amplitude.api-key", "");
        filling.put("hub.mixpanel.project-token", "");
        filling.put("hub.mixpanel.service-account-username", "");
        return filling;
    }

    /** Fills the hub's events topic over HTTP, 1,000 events a request from 4 connections. */
    private static void fill(HubProcess hub, int events) throws InterruptedException {
        int perRequest = 1000;
        long start = System.nanoTime();
        inParallel(4, (events + perRequest - 1) / perRequest, r -> {
            String body = batch(r * perRequest, Math.min(perRequest, events - r * perRequest));
            HttpResponse<String> answer = post(hub, "/onesignal/events", body, "Bearer " + TestHub.INGRESS_TOKEN);
            // a 503 accepted nothing (the broker, sharing the hub's small heap, fell behind): send again, as a client does
            for (int attempt = 1; answer.statusCode() == 503 && attempt < 5; attempt++) {
                sleep(1000L * attempt);
                answer = post(hub, "/onesignal/events", body, "Bearer " + TestHub.INGRESS_TOKEN);
            }
            expect(202, answer);
        });
        System.out.printf("    (topic filled over HTTP at %,.0f events/s: %d per request, 4 connections)%n",
                events / seconds(start), perRequest);
    }

    /** Users user-0 … user-(count-1), known to the fake OneSignal app; returns {@code count}. */
    private int knownUsers(int count) {
        for (int u = 0; u < count; u++) {
            fakes.onesignal().createUser(Sandbox.ONESIGNAL_APP_ID, "user-" + u);
        }
        return count;
    }

    /** (c) Data In: Segment's Tracking API {@code /v1/batch}, identify and track calls for 10,000 known users. */
    void dataIn(int messages, int connections) throws Exception {
        int users = knownUsers(10_000);
        Map<String, String> settings = dataOutSettings();
        try (HubProcess hub = startHub("data-in", settings)) {
            int perRequest = 100;
            // warm-up: a fixed amount, applied entirely before the measurement (a timed one would leave a backlog)
            int warmUpRequests = 200;
            inParallel(connections, warmUpRequests,
                    r -> expect(200, post(hub, "/v1/batch", segmentBatch(r * perRequest, perRequest, users), SEGMENT_BASIC)));
            awaitNoLag(settings, "signalhub-data-in", "segment.events", Duration.ofMinutes(20));
            System.out.printf("    (warmed up: %,d messages applied)%n", warmUpRequests * perRequest);
            long warmUpCalls = fakes.onesignal().requests();
            Usage usage = new Usage(hub);
            int requests = messages / perRequest;
            long[] ack = new long[requests];
            long start = System.nanoTime();
            inParallel(connections, requests, r -> {
                String body = segmentBatch(r * perRequest, perRequest, users);
                long sent = System.nanoTime();
                expect(200, post(hub, "/v1/batch", body, SEGMENT_BASIC));
                ack[r] = System.nanoTime() - sent;
            });
            double ingressSeconds = seconds(start);
            // applied = Data In committed its offsets, which it does once OneSignal took the batch
            awaitNoLag(settings, "signalhub-data-in", "segment.events", Duration.ofMinutes(20));
            double processedSeconds = seconds(start);
            usage.stop();
            Arrays.sort(ack);
            System.out.printf("%n(c) Data In over /v1/batch: %,d messages (identify and track, %,d users), %d per request, %d connections%n",
                    requests * perRequest, users, perRequest, connections);
            System.out.printf("    ingress   %,8.0f messages/s   ack p50 %.1f ms  p99 %.1f ms  p99.9 %.1f ms (per %d-message request)%n",
                    requests * perRequest / ingressSeconds, pct(ack, 50), pct(ack, 99), pct(ack, 99.9), perRequest);
            System.out.printf("    applied   %,8.0f messages/s into OneSignal (%.1f s, all offsets committed): %,d OneSignal calls%n",
                    requests * perRequest / processedSeconds, processedSeconds, fakes.onesignal().requests() - warmUpCalls);
            usage.print();
        }
    }

    /** (d) An Amplitude cohort of {@code members}: the first sync, then a sync after 1% of the members changed. */
    void cohort(int members) throws Exception {
        List<String> ids = new ArrayList<>(members);
        for (int m = 0; m < members; m++) {
            ids.add("member-" + m);
            fakes.onesignal().createUser(Sandbox.ONESIGNAL_APP_ID, "member-" + m);
        }
        fakes.amplitude().cohorts().cohort("bench", "Bench Cohort", 1000, ids);
        // OneSignal allows an app about 1,000 calls a second: lifted here to find the hub's own ceiling
        fakes.onesignal().appRequestsPerSecond(Integer.MAX_VALUE);
        Map<String, String> settings = dataOutSettings();
        // above the hub's ceiling (about 2,200 calls/s here), not higher: Camel's throttler holds a permit object
        // for each request of its period, and a million of them took 24 MB of the 256 MB heap
        settings.put("hub.onesignal.rate-limit", "10000");
        try (HubProcess hub = startHub("cohort", settings)) {
            Usage usage = new Usage(hub);
            System.out.printf("%n(d) Cohort sync: an Amplitude cohort of %,d members into OneSignal%n", members);
            cohortRun(hub, "first sync", usage);
            int changed = members / 100;
            List<String> next = new ArrayList<>(ids.subList(changed / 2, members));
            for (int m = 0; m < changed / 2; m++) {
                next.add("joiner-" + m);
                fakes.onesignal().createUser(Sandbox.ONESIGNAL_APP_ID, "joiner-" + m);
            }
            fakes.amplitude().cohorts().cohort("bench", "Bench Cohort", 2000, next);
            cohortRun(hub, "1% changed", usage);
            usage.stop();
            usage.print();
        }
    }

    private void cohortRun(HubProcess hub, String label, Usage usage) throws Exception {
        int calls = fakes.onesignal().requests();
        long start = System.nanoTime();
        HttpResponse<String> report = hub.post("/cohorts/amplitude/bench/export", "", "Bearer " + TestHub.ADMIN_TOKEN,
                Duration.ofHours(1));
        double seconds = seconds(start);
        expect(200, report);
        Matcher diff = Pattern.compile("difference to the last sync found and stored in (\\d+) ms").matcher(Files.readString(hub.log()));
        String diffMillis = "?";
        while (diff.find()) {
            diffMillis = diff.group(1);
        }
        int made = fakes.onesignal().requests() - calls;
        System.out.printf("    %-11s %.1f s in all: difference found and stored in %s ms, then %,d OneSignal calls (%,.0f/s)%n      report %s%n",
                label, seconds, diffMillis, made, made / seconds, report.body());
    }

    // ---------------------------------------------------------------------------------------------------- the hub

    private Map<String, String> dataOutSettings() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(fakes.settings());
        settings.put("hub.data-dir", Files.createTempDirectory("signalhub-bench").toString());
        settings.put("hub.kafka.embedded-port", String.valueOf(TestHub.freePort()));
        settings.put("hub.ingress.token", TestHub.INGRESS_TOKEN);
        settings.put("hub.admin.token", TestHub.ADMIN_TOKEN);
        settings.put("hub.ingress.segment.write-keys", TestHub.SEGMENT_WRITE_KEY);
        Path cohorts = Files.createTempFile("cohorts", ".yaml");
        Files.writeString(cohorts, "cohorts: []\n");
        settings.put("hub.cohorts.file", cohorts.toString());
        // the fakes take any rate; the vendors' real limits are the defaults in config/application.properties
        for (String vendor : List.of("segment", "amplitude", "mixpanel")) {
            settings.put("hub." + vendor + ".rate-limit", "1000");
        }
        return settings;
    }

    /**
     * The JIT compiles a process's hot paths under load for a minute or more, and on two cores its compiler
     * threads take up to a core meanwhile (a hub delivering to three destinations has far more to compile than
     * one that only ingests): the same kind of load runs for at least {@code WARM_UP}, then until the process's
     * JIT spent under {@code JIT_SETTLED} compiling in the last 10 s, at most {@code WARM_UP_MAX}.
     */
    private static void warmUp(Runnable requests, int connections, long pid) throws Exception {
        long start = System.nanoTime();
        AtomicBoolean warm = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < Math.min(connections, 16); c++) {
            threads.add(started(() -> {
                while (!warm.get()) {
                    requests.run();
                }
            }));
        }
        Duration window = Duration.ofSeconds(10);
        double lastWindow;
        try {
            Thread.sleep(Math.max(0, WARM_UP.minus(window).toMillis()));
            double compiled = compileSeconds(pid);
            do {
                Thread.sleep(window.toMillis());
                double now = compileSeconds(pid);
                lastWindow = now - compiled;
                compiled = now;
            } while (lastWindow >= JIT_SETTLED.toMillis() / 1e3 && System.nanoTime() - start < WARM_UP_MAX.toNanos());
        } finally {
            warm.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
        }
        System.out.printf("    (process %d warmed up for %.0f s; its JIT compiled for %.1f s in the last %d s)%n",
                pid, seconds(start), lastWindow, window.toSeconds());
    }

    /** The time the JIT of a process on this machine spent compiling so far, in seconds, as {@code jstat -compiler} reports it. */
    private static double compileSeconds(long pid) throws Exception {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        Process process = new ProcessBuilder(jstat.toString(), "-J-Duser.language=en", "-compiler", String.valueOf(pid))
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // Compiled Failed Invalid Time FailedType FailedMethod
        String[] lines = out.strip().split("\n");
        if (process.waitFor() != 0 || lines.length < 2) {
            throw new IllegalStateException("jstat -compiler " + pid + " answered: " + out);
        }
        return Double.parseDouble(lines[lines.length - 1].trim().split("\\s+")[3]);
    }

    /** Until the hub's consumer group has committed every record of the topic. */
    private static void awaitNoLag(Map<String, String> settings, String group, String topic, Duration timeout) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + settings.get("hub.kafka.embedded-port")))) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
                if (ends.entrySet().stream().allMatch(end -> committed.containsKey(end.getKey())
                        && committed.get(end.getKey()).offset() >= end.getValue().offset())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the hub did not commit all of " + topic + " in " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    /** The Dockerfile's JVM options, the heap fixed at {@code bench.hub-heap}. */
    private static List<String> memoryOptions() throws IOException {
        List<String> options = new ArrayList<>(List.of("-Xmx" + HUB_HEAP, "-Xms" + HUB_HEAP));
        DockerfileSettings.javaOptions().stream().filter(option -> !option.startsWith("-Xmx")).forEach(options::add);
        return options;
    }

    /** {@code bench.hub-options} for one process: the hub's, and the bare route's so that both run alike (a profile of each). */
    private static List<String> extraOptions(String name) {
        return options(HUB_OPTIONS.replace("{name}", name));
    }

    /** JVM options written on one line, split at spaces. */
    private static List<String> options(String line) {
        return Arrays.stream(line.split(" ")).filter(option -> !option.isBlank()).toList();
    }

    private static HubProcess startHub(String name, Map<String, String> settings) throws Exception {
        return startHub(name, settings, "");
    }

    /** @param moreOptions JVM options after the others, split at spaces */
    private static HubProcess startHub(String name, Map<String, String> settings, String moreOptions) throws Exception {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run mvn -B package -DskipTests first (bench/run.sh does)");
        }
        // as the Dockerfile runs it: a small heap, the serial collector (no G1 regions and remembered sets: about
        // 50 MB less resident on a 256 MB heap, no slower here), the native memory settings and glibc's arenas;
        // with bench.hub-heap=none, as the README's plain java -jar (the hub's launcher gives the same)
        boolean asTheDockerfile = !HUB_HEAP.equals("none");
        List<String> options = new ArrayList<>(asTheDockerfile ? memoryOptions() : List.of());
        options.addAll(extraOptions(name));
        options.addAll(options(moreOptions));
        Map<String, String> environment = asTheDockerfile
                ? Map.of("MALLOC_ARENA_MAX", DockerfileSettings.variable("MALLOC_ARENA_MAX")) : Map.of();
        HubProcess hub = HubProcess.startJar(JAR, "bench-" + name, settings, environment, options.toArray(String[]::new));
        System.out.printf("%nhub process %d started in %.1f s (spawn to health UP), log %s%n", hub.hubPid(), hub.startupMillis() / 1e3, hub.log());
        if (hub.hubPid() != hub.pid()) {
            System.out.printf("    (started by its launcher, process %d: no heap option given)%n", hub.pid());
        }
        return hub;
    }

    /** Peak RSS, heap and CPU of the hub process while a scenario ran, sampled every 250 ms. */
    private static final class Usage {
        private final HubProcess hub;
        private final long startNanos = System.nanoTime();
        private final double startCpu;
        private final AtomicLong maxHeap = new AtomicLong();
        private final AtomicLong maxRssKb = new AtomicLong();
        private final Thread sampler;
        private volatile boolean running = true;
        private double seconds;
        private double cpu;

        Usage(HubProcess hub) throws Exception {
            this.hub = hub;
            this.startCpu = hub.cpuSeconds();
            sampler = daemon(() -> {
                while (running) {
                    try {
                        maxHeap.accumulateAndGet((long) hub.metric("jvm_memory_used_bytes", "area=\"heap\""), Math::max);
                        maxRssKb.accumulateAndGet(hub.memoryKb("VmRSS"), Math::max);
                        Thread.sleep(250);
                    } catch (Exception ignored) {
                        return;
                    }
                }
            });
        }

        void stop() throws Exception {
            running = false;
            sampler.join();
            seconds = seconds(startNanos);
            cpu = hub.cpuSeconds() - startCpu;
        }

        double cpuSeconds() {
            return cpu;
        }

        void print() throws Exception {
            System.out.printf("    hub       peak RSS %d MB (VmHWM), heap used at most %d MB of %s, CPU %.2f cores on average over %.1f s%n",
                    hub.memoryKb("VmHWM") >> 10, maxHeap.get() >> 20, HUB_HEAP, cpu / seconds, seconds);
            if (hub.hubPid() != hub.pid()) {
                System.out.printf("    launcher  peak RSS %d MB (the JVM of the plain command, waiting for the hub)%n",
                        HubProcess.memoryKb(hub.pid(), "VmHWM") >> 10);
            }
        }
    }

    /**
     * When each event left the driver and when the last of the three vendor fakes accepted it. Event
     * ids are UUIDs carrying the event number, which every vendor keeps as its dedup id.
     */
    private final class Deliveries {
        private final long[] sent;
        private final long[] delivered;
        private final AtomicIntegerArray arrivals;
        private final AtomicInteger complete = new AtomicInteger();
        private final AtomicLong last = new AtomicLong();

        Deliveries(int events) {
            sent = new long[events];
            delivered = new long[events];
            arrivals = new AtomicIntegerArray(events);
            fakes.segment().onAccepted(event -> arrived(event.path("messageId")));
            fakes.amplitude().onAccepted(event -> arrived(event.path("insert_id")));
            fakes.mixpanel().onAccepted(event -> arrived(event.path("properties").path("$insert_id")));
        }

        void sent(int n, long nanos) {
            sent[n] = nanos;
        }

        void sentAll(long nanos) {
            Arrays.fill(sent, nanos);
        }

        private void arrived(JsonNode eventId) {
            UUID id = UUID.fromString(eventId.asText());
            if (id.getMostSignificantBits() != RUN_ID) {
                return;  // a warm-up event
            }
            int n = (int) id.getLeastSignificantBits();
            if (arrivals.incrementAndGet(n) == 3) {
                long now = System.nanoTime();
                delivered[n] = now - sent[n];
                last.accumulateAndGet(now, Math::max);
                complete.incrementAndGet();
            }
        }

        void await(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (complete.get() < sent.length) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + complete.get() + " of " + sent.length + " events reached all three vendors");
                }
                Thread.sleep(20);
            }
        }

        long lastDelivered() {
            return last.get();
        }

        double percentile(double p) {
            long[] sorted = delivered.clone();
            Arrays.sort(sorted);
            return pct(sorted, p);
        }
    }

    // ---------------------------------------------------------------------------------------------------- payloads

    private static String eventId(int n) {
        return new UUID(RUN_ID, n).toString();
    }

    private static String event(int n) {
        return event(RUN_ID, n);
    }

    private static String event(long run, int n) {
        return "{\"event.kind\":\"message.push.sent\",\"event.id\":\"" + new UUID(run, n) + "\",\"event.timestamp\":1708559115,"
                + "\"event.subscription_id\":\"sub-" + (n % 5000) + "\",\"event.external_id\":\"user-" + (n % 5000)
                + "\",\"message.id\":\"m-1\",\"message.name\":\"bench\",\"message.title\":\"Hello\",\"user.language\":\"en\"}";
    }

    private static String batch(int from, int count) {
        return join(count, i -> event(from + i));
    }

    private static String segmentBatch(int from, int count, int users) {
        return "{\"batch\":" + join(count, i -> {
            int n = from + i;
            String user = "user-" + (n % users);
            return n % 2 == 0
                    ? "{\"type\":\"identify\",\"userId\":\"" + user + "\",\"messageId\":\"" + eventId(n)
                        + "\",\"traits\":{\"plan\":\"pro\",\"visits\":" + n + ",\"firstName\":\"Ada\"}}"
                    : "{\"type\":\"track\",\"userId\":\"" + user + "\",\"messageId\":\"" + eventId(n)
                        + "\",\"event\":\"Order Completed\",\"properties\":{\"total\":" + n + "}}";
        }) + "}";
    }

    private static String join(int count, IntFunction<String> item) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append(item.apply(i));
        }
        return json.append(']').toString();
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /** Work items 0 … count-1 done by {@code connections} threads, each taking the next item when done with one. */
    private static void inParallel(int connections, int count, IntConsumer item) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(started(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    item.accept(i);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static Thread started(Runnable work) {
        Thread thread = new Thread(work);
        thread.start();
        return thread;
    }

    private static Thread daemon(Runnable work) {
        Thread thread = new Thread(work);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** A JSON POST to any server (the hub, the bare route), through the one client that loads them all alike. */
    private static HttpResponse<String> send(URI uri, String body, String authorization) {
        try {
            return HubProcess.post(uri, body, authorization, Duration.ofMinutes(5));
        } catch (Exception e) {
            throw new IllegalStateException("POST " + uri + " failed", e);
        }
    }

    private static HttpResponse<String> post(HubProcess hub, String path, String body, String authorization) {
        return send(URI.create(hub.baseUrl() + path), body, authorization);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new IllegalStateException("the hub answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static double pct(long[] sorted, double percentile) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
