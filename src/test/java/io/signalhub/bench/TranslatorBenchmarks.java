package io.signalhub.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.vendors.onesignal.OneSignalApps;
import io.signalhub.vendors.segment.SegmentMessage;
import io.signalhub.datain.SegmentTranslator;
import io.signalhub.datain.Translation;
import io.signalhub.vendors.amplitude.Amplitude;
import io.signalhub.delivery.DetailNames;
import io.signalhub.delivery.EventNames;
import io.signalhub.vendors.mixpanel.Mixpanel;
import io.signalhub.delivery.OutboundRequest;
import io.signalhub.delivery.RequestBuilder;
import io.signalhub.vendors.segment.Segment;
import io.signalhub.delivery.Vendor;
import io.signalhub.eventstreams.OneSignalEvent;
import io.signalhub.eventstreams.OneSignalEventParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH micro-benchmarks of the pure pieces each event goes through: the Event Streams parser, each Data
 * Out vendor's translation into request bodies, and the Segment → OneSignal translator. Scores are
 * events (or messages) per second on one thread. Run with bench/jmh.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TranslatorBenchmarks {

    private static final int BATCH = 1000;
    private static final Instant NOW = Instant.parse("2024-02-21T23:45:16Z");

    private OneSignalEventParser parser;
    private byte[] body;
    private List<OneSignalEvent> events;
    private Vendor segment;
    private Vendor amplitude;
    private Vendor mixpanel;
    private EventNames segmentNames;
    private EventNames amplitudeNames;
    private EventNames mixpanelNames;
    private byte[] oneEvent;
    private DetailNames segmentDetails;
    private DetailNames amplitudeDetails;
    private DetailNames mixpanelDetails;
    private SegmentTranslator translator;
    private SegmentMessage identify;
    private SegmentMessage track;

    @Setup
    public void setUp() throws Exception {
        parser = new OneSignalEventParser(Json.MAPPER, BATCH, () -> NOW);
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < BATCH; i++) {
            json.append(i == 0 ? "" : ",").append("{\"event.kind\":\"message.push.clicked\",\"event.id\":\"6a2ba1c4-0000-4000-8000-")
                    .append(String.format("%012d", i)).append("\",\"event.timestamp\":1708559115,\"event.subscription_id\":\"sub-")
                    .append(i).append("\",\"event.subscription_device_type\":\"iOS\",\"event.external_id\":\"user-").append(i)
                    .append("\",\"message.id\":\"m-1\",\"message.name\":\"Spring sale\",\"message.title\":\"{'en':'Sale'}\","
                            + "\"message.contents\":\"{'en':'Everything 20% off'}\",\"user.language\":\"en\"}");
        }
        body = json.append(']').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // what Event Streams sends: one event a request (the ingest benchmark's body)
        oneEvent = ("{\"event.kind\":\"message.push.sent\",\"event.id\":\"6a2ba1c4-0000-4000-8000-000000000001\","
                + "\"event.timestamp\":1708559115,\"event.subscription_id\":\"sub-1\",\"event.external_id\":\"user-1\","
                + "\"message.id\":\"m-1\",\"message.name\":\"bench\",\"message.title\":\"Hello\",\"user.language\":\"en\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        events = parser.parseBody(body).events();
        segment = new Segment("wk", () -> NOW);
        amplitude = new Amplitude("ak", 1, 30_000);
        mixpanel = new Mixpanel("pt", null, null);
        segmentNames = names("segment");
        segmentDetails = DetailNames.load(Path.of("config/event-properties/segment.properties"));
        amplitudeNames = names("amplitude");
        amplitudeDetails = DetailNames.load(Path.of("config/event-properties/amplitude.properties"));
        mixpanelNames = names("mixpanel");
        mixpanelDetails = DetailNames.load(Path.of("config/event-properties/mixpanel.properties"));
        translator = new SegmentTranslator(false, true, false);
        identify = message("{\"type\":\"identify\",\"userId\":\"user-1\",\"messageId\":\"m-1\",\"traits\":{\"firstName\":\"Ada\","
                + "\"lastName\":\"Lovelace\",\"plan\":\"pro\",\"logins\":5,\"vip\":true,\"address\":{\"city\":\"London\"}}}");
        track = message("{\"type\":\"track\",\"userId\":\"user-1\",\"messageId\":\"m-2\",\"event\":\"Order Completed\","
                + "\"properties\":{\"total\":42.5,\"currency\":\"EUR\",\"coupon\":\"SPRING\"}}");
    }

    private static EventNames names(String vendor) throws Exception {
        return EventNames.of(EventNames.load(Path.of("config/event-names/" + vendor + ".properties")), "");
    }

    private static SegmentMessage message(String json) throws Exception {
        return new SegmentMessage(OneSignalApps.DEFAULT, (ObjectNode) Json.MAPPER.readTree(json), json);
    }

    @Benchmark
    public String eventStreamsRequestToRecord() {
        return parser.parseBody(oneEvent).events().get(0).canonicalJson();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<OneSignalEvent> parseEventStreamsBatch() {
        return parser.parseBody(body).events();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<OutboundRequest> segmentRequests() {
        return RequestBuilder.pack(segment, RequestBuilder.translate(segment, segmentNames, segmentDetails, events));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<OutboundRequest> amplitudeRequests() {
        return RequestBuilder.pack(amplitude, RequestBuilder.translate(amplitude, amplitudeNames, amplitudeDetails, events));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<OutboundRequest> mixpanelRequests() {
        return RequestBuilder.pack(mixpanel, RequestBuilder.translate(mixpanel, mixpanelNames, mixpanelDetails, events));
    }

    @Benchmark
    public Translation segmentIdentifyToOneSignal() {
        return translator.identify(identify);
    }

    @Benchmark
    public Translation segmentTrackToOneSignal() {
        return translator.track(track);
    }
}
