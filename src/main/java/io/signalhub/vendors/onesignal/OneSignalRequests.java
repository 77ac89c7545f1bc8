package io.signalhub.vendors.onesignal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;

/**
 * A {@link OneSignalPlan} as OneSignal REST calls within the API's rules (https://documentation.onesignal.com/reference/update-user):
 * segments first (so audiences have theirs before members are tagged), then the devices to register (Create
 * User with the device's iOSPush subscription, https://documentation.onesignal.com/reference/create-user: it
 * creates the user when OneSignal does not know the External ID yet, so tags can follow), then one PATCH per user with at
 * most 100 tags and at most the plan's tag limit of values set (first come; first_name and last_name
 * always fit; deletions always go), then custom events in requests of at most 1 MB, 2,024 bytes each.
 */
public final class OneSignalRequests {

    public static final int MAX_TAGS_PER_REQUEST = 100;
    public static final int MAX_EVENT_BYTES = 2024;
    public static final int MAX_EVENTS_REQUEST_BYTES = 1024 * 1024;
    public static final int MAX_EVENT_NAME = 128;
    public static final String TAG_LIMIT = "tag_limit";
    public static final String OVERSIZED_EVENT = "oversized_custom_event";
    private static final List<String> NAME_TAGS = List.of("first_name", "last_name");

    /** What a plan becomes: the requests, the events OneSignal would refuse anyway, and what was dropped, per app and reason. */
    public record Built(List<OneSignalRequest> requests, List<OneSignalPlan.CustomEvent> refusedEvents,
                        Map<String, Map<String, Integer>> dropped) {
    }

    private OneSignalRequests() {
    }

    /** The key of a device registration, for remembering which went through. */
    public static String deviceKey(String appId, String externalId, String token) {
        return appId + '\n' + externalId + '\n' + token;
    }

    /**
     * @param knownSegment     whether (app id, segment name) is known to exist, so it is not created again
     * @param registeredDevice whether a {@link #deviceKey} was registered already, so it is not sent again
     */
    public static Built build(OneSignalPlan plan, OneSignalApps apps, int tagLimit, BiPredicate<String, String> knownSegment,
                              Predicate<String> registeredDevice) {
        List<OneSignalRequest> requests = new ArrayList<>();
        Map<String, Map<String, Integer>> dropped = new TreeMap<>();
        plan.segments().forEach((appName, byTag) -> {
            OneSignalApps.App app = apps.app(appName);
            byTag.forEach((tagKey, name) -> {
                if (!knownSegment.test(app.appId(), name)) {
                    requests.add(new OneSignalRequest(OneSignalRequest.SEGMENT, app, "POST", "/apps/" + app.appId() + "/segments",
                            segment(name, tagKey), name, 1, List.of()));
                }
            });
        });
        for (OneSignalPlan.DeviceRegistration registration : plan.devices()) {
            OneSignalApps.App app = apps.app(registration.app());
            if (!registeredDevice.test(deviceKey(app.appId(), registration.externalId(), registration.device().token()))) {
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.putObject("identity").put("external_id", registration.externalId());
                body.putArray("subscriptions").add(registration.device().subscription());
                requests.add(new OneSignalRequest(OneSignalRequest.DEVICE, app, "POST", "/apps/" + app.appId() + "/users",
                        body.toString(), registration.externalId(), 1, registration.sources()));
            }
        }
        for (OneSignalPlan.UserUpdate user : plan.users()) {
            OneSignalApps.App app = apps.app(user.app());
            Map<String, String> tags = withinTagLimit(user.tags(), tagLimit);
            int over = user.tags().size() - tags.size();
            if (over > 0) {
                dropped.computeIfAbsent(user.app(), a -> new TreeMap<>()).merge(TAG_LIMIT, over, Integer::sum);
            }
            String path = "/apps/" + app.appId() + "/users/by/external_id/" + URLEncoder.encode(user.externalId(), StandardCharsets.UTF_8)
                    .replace("+", "%20");
            for (Map<String, String> chunk : chunks(tags)) {
                ObjectNode body = Json.MAPPER.createObjectNode();
                ObjectNode tagNode = body.putObject("properties").putObject("tags");
                chunk.forEach((key, value) -> tagNode.put(key, value == null ? "" : value));
                requests.add(new OneSignalRequest(OneSignalRequest.USER, app, "PATCH", path, body.toString(),
                        user.externalId(), chunk.size(), user.sources()));
            }
        }
        List<OneSignalPlan.CustomEvent> refused = new ArrayList<>();
        Map<String, List<OneSignalPlan.CustomEvent>> eventsByApp = new LinkedHashMap<>();
        for (OneSignalPlan.CustomEvent event : plan.customEvents()) {
            int bytes = event.event().toString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_EVENT_BYTES || event.event().path("name").asText().length() > MAX_EVENT_NAME) {
                refused.add(event);
                dropped.computeIfAbsent(event.app(), a -> new TreeMap<>()).merge(OVERSIZED_EVENT, 1, Integer::sum);
            } else {
                eventsByApp.computeIfAbsent(event.app(), a -> new ArrayList<>()).add(event);
            }
        }
        eventsByApp.forEach((appName, events) -> requests.addAll(eventRequests(apps.app(appName), events)));
        return new Built(requests, refused, dropped);
    }

    /** A segment whose members carry the tag set to "true" (an Engage audience, a cohort). */
    static String segment(String name, String tagKey) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("name", name.length() > 128 ? name.substring(0, 128) : name);
        body.putArray("filters").addObject().put("field", "tag").put("key", tagKey).put("relation", "=").put("value", "true");
        return body.toString();
    }

    /** Deletions and the name tags always; other values first come, up to the plan's limit (names count in it). */
    static Map<String, String> withinTagLimit(Map<String, String> tags, int tagLimit) {
        long names = tags.entrySet().stream().filter(t -> t.getValue() != null && NAME_TAGS.contains(t.getKey())).count();
        long room = tagLimit - names;
        Map<String, String> kept = new LinkedHashMap<>();
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            boolean always = tag.getValue() == null || NAME_TAGS.contains(tag.getKey());
            if (always || room-- > 0) {
                kept.put(tag.getKey(), tag.getValue());
            }
        }
        return kept;
    }

    private static List<Map<String, String>> chunks(Map<String, String> tags) {
        List<Map<String, String>> chunks = new ArrayList<>();
        Map<String, String> chunk = new LinkedHashMap<>();
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            if (chunk.size() == MAX_TAGS_PER_REQUEST) {
                chunks.add(chunk);
                chunk = new LinkedHashMap<>();
            }
            chunk.put(tag.getKey(), tag.getValue());
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    private static List<OneSignalRequest> eventRequests(OneSignalApps.App app, List<OneSignalPlan.CustomEvent> events) {
        List<OneSignalRequest> requests = new ArrayList<>();
        String path = "/apps/" + app.appId() + "/custom_events";
        int envelope = "{\"events\":[]}".length();
        List<OneSignalPlan.CustomEvent> current = new ArrayList<>();
        int bytes = envelope;
        for (OneSignalPlan.CustomEvent event : events) {
            int size = event.event().toString().getBytes(StandardCharsets.UTF_8).length + 1;
            if (!current.isEmpty() && bytes + size > MAX_EVENTS_REQUEST_BYTES) {
                requests.add(eventRequest(app, path, current));
                current = new ArrayList<>();
                bytes = envelope;
            }
            current.add(event);
            bytes += size;
        }
        if (!current.isEmpty()) {
            requests.add(eventRequest(app, path, current));
        }
        return requests;
    }

    private static OneSignalRequest eventRequest(OneSignalApps.App app, String path, List<OneSignalPlan.CustomEvent> events) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("events");
        events.forEach(e -> list.add(e.event()));
        return new OneSignalRequest(OneSignalRequest.EVENTS, app, "POST", path, body.toString(), null, events.size(),
                events.stream().map(OneSignalPlan.CustomEvent::source).toList());
    }
}
