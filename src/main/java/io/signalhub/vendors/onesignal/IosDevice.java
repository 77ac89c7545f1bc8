package io.signalhub.vendors.onesignal;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;

/**
 * An iOS device as Segment's iOS SDKs report it ({@code context.device.token}: the APNs token once the app
 * registered for remote notifications, https://segment.com/docs/connections/spec/common/#context), to become
 * the user's {@code iOSPush} subscription in OneSignal (https://documentation.onesignal.com/reference/create-user).
 * The token is a secret of the user's device: it is never logged, and {@link #toString()} leaves it out.
 */
public record IosDevice(String token, String model, String osVersion, String appVersion) {

    /** APNs tokens are hexadecimal; 32 bytes today, Apple allows them to grow (up to 100 bytes). */
    private static final Pattern TOKEN = Pattern.compile("[0-9A-Fa-f]{64,200}");

    /** What a message's context says of the device: null when it carries no token or is no iOS device. */
    public static IosDevice of(JsonNode context) {
        JsonNode device = context.path("device");
        String token = device.path("token").asText("");
        String os = context.path("os").path("name").asText("");
        boolean ios = device.path("type").asText("").equalsIgnoreCase("ios") || os.equals("iOS") || os.equals("iPadOS");
        if (token.isEmpty() || !ios) {
            return null;
        }
        return new IosDevice(token, text(device.path("model")), text(context.path("os").path("version")),
                text(context.path("app").path("version")));
    }

    public boolean valid() {
        return TOKEN.matcher(token).matches();
    }

    /** The subscription as Create User takes it. */
    ObjectNode subscription() {
        ObjectNode subscription = Json.MAPPER.createObjectNode();
        subscription.put("type", "iOSPush");
        subscription.put("token", token);
        subscription.put("enabled", true);
        if (model != null) {
            subscription.put("device_model", model);
        }
        if (osVersion != null) {
            subscription.put("device_os", osVersion);
        }
        if (appVersion != null) {
            subscription.put("app_version", appVersion);
        }
        return subscription;
    }

    private static String text(JsonNode value) {
        return value.isValueNode() && !value.asText().isBlank() ? value.asText() : null;
    }

    @Override
    public String toString() {
        return "iOS device (" + (model == null ? "unknown model" : model) + ", token withheld)";
    }
}
