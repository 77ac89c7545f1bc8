package io.signalhub.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import org.apache.camel.Service;

/**
 * Sandbox mode: the fakes of the vendor APIs (Segment, Amplitude, Mixpanel, OneSignal), started in the hub's own process so a newcomer can try
 * every chain without keys. The sandbox credentials below are what the fakes expect; they are not secrets.
 */
public final class Sandbox implements Service {

    public static final String SEGMENT_WRITE_KEY = "sandbox-segment-write-key";
    public static final String AMPLITUDE_API_KEY = "sandbox-amplitude-api-key";
    public static final String MIXPANEL_PROJECT_TOKEN = "sandbox-mixpanel-project-token";
    public static final String ONESIGNAL_APP_ID = "5eb5a37e-0000-4000-8000-5a4db0c5a4db";
    public static final String ONESIGNAL_API_KEY = "os_v2_app_sandbox";
    public static final int MIXPANEL_COHORT = 1001;
    public static final String AMPLITUDE_COHORT = "churn7d";
    public static final String SEGMENT_SHARED_SECRET = "sandbox-segment-shared-secret";
    /** How the fake OneSignal's Event Streams retry: tries per event, the first retry's delay (doubling), events failed in a row before it stops. */
    public static final int EVENT_STREAMS_ATTEMPTS = 4;
    public static final long EVENT_STREAMS_FIRST_RETRY_MILLIS = 1000;
    public static final int EVENT_STREAMS_DISABLE_AFTER = 25;
    /** Users the sandbox's OneSignal app knows, so a newcomer's first identify has someone to tag. */
    public static final List<String> ONESIGNAL_USERS = List.of("user_12345", "user-1", "user-2", "user-3");

    private final SegmentFake segment = new SegmentFake();
    private final AmplitudeFake amplitude = new AmplitudeFake(AMPLITUDE_API_KEY);
    private final MixpanelFake mixpanel = new MixpanelFake(MIXPANEL_PROJECT_TOKEN);
    private final OneSignalFake onesignal = new OneSignalFake();

    public Sandbox() {
        onesignal.addApp(ONESIGNAL_APP_ID, ONESIGNAL_API_KEY);
    }

    public SegmentFake segment() {
        return segment;
    }

    public AmplitudeFake amplitude() {
        return amplitude;
    }

    public MixpanelFake mixpanel() {
        return mixpanel;
    }

    public OneSignalFake onesignal() {
        return onesignal;
    }

    /** Seeds a Mixpanel and an Amplitude cohort of the sandbox users, each with an anonymous member. */
    public void seedCohorts() {
        mixpanel.cohorts().cohort(MIXPANEL_COHORT, "Power Users", Map.of(
                "mp-1", Map.of("$onesignal_user_id", "user-1"), "mp-2", Map.of("$onesignal_user_id", "user-2"),
                "mp-anonymous", Map.of("$email", "someone@example.com")));
        amplitude.cohorts().cohort(AMPLITUDE_COHORT, "Churn Risk", System.currentTimeMillis() / 1000,
                List.of("user-2", "user-3", ""));
    }

    /** Seeds the sandbox app's users, each with an iPhone's push subscription (the tests create their own). */
    public void seedUsers() {
        ONESIGNAL_USERS.forEach(user -> onesignal.addSubscription(ONESIGNAL_APP_ID, user, "iOSPush",
                java.util.HexFormat.of().formatHex((user + "-sandbox-device-token-32-bytes!!").substring(0, 32).getBytes(StandardCharsets.UTF_8))));
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

    /**
     * The hub settings that point every vendor API at these fakes with the credentials they expect:
     * what sandbox mode applies, and what the tests start from.
     */
    public Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("hub.segment.base-url", segment.baseUrl());
        settings.put("hub.segment.write-key", SEGMENT_WRITE_KEY);
        settings.put("hub.amplitude.base-url", amplitude.baseUrl());
        settings.put("hub.amplitude.api-key", AMPLITUDE_API_KEY);
        settings.put("hub.amplitude.cohort-base-url", amplitude.baseUrl());
        settings.put("hub.amplitude.secret-key", CohortDownloads.SECRET_KEY);
        settings.put("hub.mixpanel.base-url", mixpanel.baseUrl());
        settings.put("hub.mixpanel.project-token", MIXPANEL_PROJECT_TOKEN);
        settings.put("hub.mixpanel.query-base-url", mixpanel.baseUrl() + "/api/query");
        settings.put("hub.mixpanel.project-id", CohortQueries.PROJECT_ID);
        settings.put("hub.mixpanel.service-account-username", CohortQueries.SERVICE_ACCOUNT);
        settings.put("hub.mixpanel.service-account-secret", CohortQueries.SERVICE_SECRET);
        settings.put("hub.onesignal.base-url", onesignal.baseUrl());
        settings.put("hub.onesignal.app-id", ONESIGNAL_APP_ID);
        settings.put("hub.onesignal.api-key", ONESIGNAL_API_KEY);
        return settings;
    }

    /** Forgets what every fake received and holds, and its scripted failures. */
    public void reset() {
        fakes().forEach(FakeApi::reset);
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
        return List.of(segment, amplitude, mixpanel, onesignal);
    }
}
