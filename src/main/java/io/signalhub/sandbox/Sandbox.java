package io.signalhub.sandbox;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import org.apache.camel.Service;

/**
 * Sandbox mode: the fakes of the vendor APIs, started in the hub's own process so a newcomer can try
 * every chain without keys. The sandbox credentials below are what the fakes expect; they are not secrets.
 */
public final class Sandbox implements Service {

    public static final String SEGMENT_WRITE_KEY = "sandbox-segment-write-key";
    public static final String AMPLITUDE_API_KEY = "sandbox-amplitude-api-key";
    public static final String MIXPANEL_PROJECT_TOKEN = "sandbox-mixpanel-project-token";

    private final SegmentFake segment = new SegmentFake();
    private final AmplitudeFake amplitude = new AmplitudeFake(AMPLITUDE_API_KEY);
    private final MixpanelFake mixpanel = new MixpanelFake(MIXPANEL_PROJECT_TOKEN);

    public SegmentFake segment() {
        return segment;
    }

    public AmplitudeFake amplitude() {
        return amplitude;
    }

    public MixpanelFake mixpanel() {
        return mixpanel;
    }

    @Override
    public void start() {
        try {
            for (FakeApi fake : fakes()) {
                fake.start(0);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not start the sandbox fakes: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        fakes().forEach(FakeApi::stop);
    }

    /** {@code GET /sandbox/requests}: what each fake received, the latest events first-in last. */
    public String requests() {
        ObjectNode all = Json.MAPPER.createObjectNode();
        for (FakeApi fake : fakes()) {
            all.set(fake.name(), fake.summary(20));
        }
        return all.toPrettyString();
    }

    private List<FakeApi> fakes() {
        return List.of(segment, amplitude, mixpanel);
    }
}
