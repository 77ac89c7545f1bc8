package io.signalhub.sandbox;

import io.signalhub.vendors.segment.Segment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;

/**
 * OneSignal's REST API as the hub uses it (https://documentation.onesignal.com/reference): users by External ID with
 * string-only data tags (100 per request, a per-user tag limit from the app's plan, "" or null deletes),
 * custom events, segments (validation, plan limit, free plan refused), the documented error bodies,
 * and the rate limits answered with 429 and Retry-After: one update a second per user, about 1,000
 * requests a second per app, one view a second per app. It never creates a
 * user on an update: users are seeded ({@link #createUser}) or created by Create User
 * ({@code POST /apps/{app_id}/users}, https://documentation.onesignal.com/reference/create-user), which also adds
 * subscriptions (a token already held by another user moves to this one; at most 20 a user).
 */
public final class OneSignalFake extends FakeApi {

    /** What an app's plan allows: tags per user, segments per app, whether the segments API is open. */
    public record Plan(int tagLimit, int segmentLimit, boolean segmentsApi) {
        public static final Plan FREE = new Plan(2, 6, false);
        public static final Plan GROWTH = new Plan(10, 10, true);
        public static final Plan PROFESSIONAL = new Plan(100, 20, true);
    }

    /** A segment as created, with its filters. */
    public record Segment(String id, String name, JsonNode filters) {
    }

    /** A notification as created: its app, channel, the External IDs it went to and what it said. */
    public record Notification(String id, String appId, String channel, List<String> recipients, JsonNode request) {
    }

    /** A user's subscription (a device, an email address, a phone number). */
    public record Subscription(String id, String type, String token, boolean enabled, String deviceModel, String deviceOs) {
        @Override
        public String toString() {
            return type + " " + id;
        }
    }

    private static final Pattern USER = Pattern.compile("/apps/([^/]+)/users/by/([^/]+)/([^/]+)");
    private static final Pattern USERS = Pattern.compile("/apps/([^/]+)/users");
    private static final Pattern NOTIFICATIONS = Pattern.compile("(?:/api/v1)?/notifications");
    private static final int MAX_ALIASES_PER_NOTIFICATION = 2000;
    private static final Map<String, Set<String>> CHANNEL_TYPES = Map.of(
            "push", Set.of("iOSPush", "AndroidPush", "FireOSPush", "ChromeExtensionPush", "ChromePush", "WindowsPush",
                    "SafariLegacyPush", "FirefoxPush", "macOSPush", "HuaweiPush", "SafariPush"),
            "email", Set.of("Email"), "sms", Set.of("SMS"));
    private static final Pattern CUSTOM_EVENTS = Pattern.compile("/apps/([^/]+)/custom_events");
    private static final Pattern SEGMENTS = Pattern.compile("/apps/([^/]+)/segments(?:/([^/]+))?");
    private static final String ACCESS_DENIED = "{\"errors\":[\"Access denied.  Please include an 'Authorization: ...' header"
            + " with a valid API key (https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys).\"]}";
    private static final String AUTH_MISSING = "{\"errors\":[{\"code\":\"auth-1\",\"title\":\"This operation requires"
            + " 'Authorization' in the HTTP header\"}]}";
    private static final String USER_NOT_FOUND = "{\"errors\":[{\"code\":\"user-0\",\"title\":\"User not found\",\"meta\":{}}]}";
    private static final Set<String> TAG_RELATIONS = Set.of(">", "<", "=", "!=", "exists", "not_exists",
            "time_elapsed_gt", "time_elapsed_lt");
    private static final Set<String> FIELDS = Set.of("tag", "last_session", "first_session", "session_count",
            "session_time", "language", "app_version", "location", "country");
    private static final Reply PER_USER_LIMIT = new Reply(429,
            "{\"errors\":[\"API rate limit exceeded\"],\"limit\":\"Subscription/User Update Per Device\"}", Map.of("Retry-After", "1"));
    private static final int MAX_TAGS_PER_REQUEST = 100;
    private static final int MAX_SUBSCRIPTIONS_PER_USER = 20;
    private static final Set<String> SUBSCRIPTION_TYPES = Set.of("iOSPush", "AndroidPush", "FireOSPush", "ChromeExtensionPush",
            "ChromePush", "WindowsPush", "SafariLegacyPush", "FirefoxPush", "macOSPush", "HuaweiPush", "SafariPush", "Email", "SMS");
    private static final int MAX_EVENT_BYTES = 2024;
    private static final int MAX_EVENTS_REQUEST_BYTES = 1024 * 1024;

    private final class App {
        final String apiKey;
        Plan plan = Plan.PROFESSIONAL;
        final Map<String, Map<String, String>> users = new LinkedHashMap<>();
        final Map<String, Segment> segments = new LinkedHashMap<>();
        final Map<String, List<Subscription>> subscriptions = new LinkedHashMap<>();
        final List<Notification> notifications = new ArrayList<>();
        final Map<String, String> notificationsByIdempotencyKey = new HashMap<>();
        final PerSecond messages = new PerSecond();
        final PerSecond requests = new PerSecond();
        final List<JsonNode> customEvents = new ArrayList<>();
        final Set<String> idempotencyKeys = new HashSet<>();
        final Map<String, Long> lastUpdate = new HashMap<>();
        long lastView;

        App(String apiKey) {
            this.apiKey = apiKey;
        }
    }

    /** A rate limit of so many a second (a window per second). */
    private static final class PerSecond {
        private long windowStart;
        private int inWindow;

        boolean take(int limit) {
            long now = System.currentTimeMillis();
            if (now - windowStart >= 1000) {
                windowStart = now;
                inWindow = 0;
            }
            return ++inWindow <= limit;
        }
    }

    private final Map<String, App> apps = new LinkedHashMap<>();
    /** Where the message events of the notifications go, as Event Streams would send them; null: nowhere. */
    private volatile EventStreamsEmitter eventStreams;
    private long perUserIntervalMillis = 1000;
    private int messagesPerSecond = 6000;
    private int appRequestsPerSecond = 1000;
    private int tagUpdates;

    public OneSignalFake() {
        super("onesignal");
    }

    /** Adds (or resets) an app with its API key; apps start on the Professional plan. */
    public synchronized void addApp(String appId, String apiKey) {
        apps.put(appId, new App(apiKey));
    }

    public synchronized void plan(String appId, Plan plan) {
        app(appId).plan = plan;
    }

    /** Seeds a user, as the app's own SDKs would have created it. */
    public synchronized void createUser(String appId, String externalId) {
        app(appId).users.putIfAbsent(externalId, new LinkedHashMap<>());
    }

    /** The user's tags, or null when OneSignal does not know the External ID. */
    public synchronized Map<String, String> tags(String appId, String externalId) {
        Map<String, String> tags = app(appId).users.get(externalId);
        return tags == null ? null : Map.copyOf(tags);
    }

    /** Adds a subscription to a seeded user, as the app's SDK would have. */
    public synchronized void addSubscription(String appId, String externalId, String type, String token) {
        createUser(appId, externalId);
        app(appId).subscriptions.computeIfAbsent(externalId, id -> new ArrayList<>())
                .add(new Subscription(UUID.randomUUID().toString(), type, token, true, null, null));
    }

    /** From now on each notification's message events (sent, received or delivered) are streamed there. */
    public void streamEventsTo(EventStreamsEmitter emitter) {
        eventStreams = emitter;
    }

    /** The notifications created in the app, oldest first. */
    public synchronized List<Notification> notifications(String appId) {
        return List.copyOf(app(appId).notifications);
    }

    /** Create-message requests a second each app takes (150 on free plans, 6,000 on paid ones). */
    public synchronized void messagesPerSecond(int limit) {
        messagesPerSecond = limit;
    }

    /** The user's subscriptions, in the order they were added. */
    public synchronized List<Subscription> subscriptions(String appId, String externalId) {
        return List.copyOf(app(appId).subscriptions.getOrDefault(externalId, List.of()));
    }

    public synchronized List<JsonNode> customEvents(String appId) {
        return List.copyOf(app(appId).customEvents);
    }

    public synchronized List<Segment> segments(String appId) {
        return List.copyOf(app(appId).segments.values());
    }

    /** The External IDs whose tags match the segment's filters (AND binds tighter than OR). */
    public synchronized List<String> members(String appId, String segmentName) {
        App app = app(appId);
        Segment segment = app.segments.values().stream().filter(s -> s.name().equals(segmentName)).findFirst().orElse(null);
        if (segment == null) {
            return List.of();
        }
        return app.users.entrySet().stream().filter(user -> matches(segment.filters(), user.getValue()))
                .map(Map.Entry::getKey).toList();
    }

    /** How many PATCHes of tags were applied (202). */
    public synchronized int tagUpdates() {
        return tagUpdates;
    }

    /** The least time between two updates of one user (1 s, as documented); 0 turns the limit off. */
    public synchronized void perUserInterval(long millis) {
        perUserIntervalMillis = millis;
    }

    /** Requests a second each app takes before 429 (about 1,000, as documented). */
    public synchronized void appRequestsPerSecond(int limit) {
        appRequestsPerSecond = limit;
    }

    @Override
    protected synchronized void resetState() {
        apps.values().forEach(app -> {
            app.users.clear();
            app.segments.clear();
            app.subscriptions.clear();
            app.notifications.clear();
            app.notificationsByIdempotencyKey.clear();
            app.customEvents.clear();
            app.idempotencyKeys.clear();
            app.lastUpdate.clear();
            app.plan = Plan.PROFESSIONAL;
        });
        eventStreams = null;
        perUserIntervalMillis = 1000;
        messagesPerSecond = 6000;
        appRequestsPerSecond = 1000;
        tagUpdates = 0;
    }

    @Override
    protected synchronized void describe(ObjectNode summary) {
        ObjectNode all = summary.putObject("apps");
        apps.forEach((id, app) -> {
            ObjectNode node = all.putObject(id);
            ObjectNode users = node.putObject("users");
            app.users.forEach((externalId, tags) -> {
                ObjectNode user = users.putObject(externalId);
                user.set("tags", Json.MAPPER.valueToTree(tags));
                ArrayNode subscriptions = user.putArray("subscriptions");
                app.subscriptions.getOrDefault(externalId, List.of()).forEach(s -> subscriptions.addObject()
                        .put("id", s.id()).put("type", s.type()).put("enabled", s.enabled()));
            });
            ArrayNode segments = node.putArray("segments");
            app.segments.values().forEach(s -> segments.addObject().put("id", s.id()).put("name", s.name()));
            node.put("custom_events", app.customEvents.size());
            ArrayNode notifications = node.putArray("notifications");
            app.notifications.forEach(n -> notifications.addObject().put("id", n.id()).put("channel", n.channel())
                    .set("recipients", Json.MAPPER.valueToTree(n.recipients())));
        });
    }

    @Override
    protected synchronized Reply handle(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        Matcher matcher;
        String appId = (matcher = Pattern.compile("/apps/([^/]+)/.*").matcher(path)).matches() ? matcher.group(1) : null;
        if (NOTIFICATIONS.matcher(path).matches()) {
            appId = notificationAppId(body);
        }
        App app = appId == null ? null : apps.get(appId);
        String token = token(first(headers, "Authorization"));
        if (token == null) {
            return Reply.json(401, AUTH_MISSING);
        }
        if (app == null || !app.apiKey.equals(token)) {
            return Reply.json(403, ACCESS_DENIED);
        }
        if (!app.requests.take(appRequestsPerSecond)) {
            return new Reply(429, "{\"errors\":[\"API rate limit exceeded\"],\"limit\":\"App ID\"}", Map.of("Retry-After", "1"));
        }
        JsonNode json = null;
        if (body.length > 0) {
            try {
                json = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
            } catch (Exception e) {
                return structuredError(400, "invalid-json", "The request body is not valid JSON");
            }
        }
        if ((matcher = USER.matcher(path)).matches()) {
            String externalId = java.net.URLDecoder.decode(matcher.group(3), StandardCharsets.UTF_8);
            if (!matcher.group(2).equals("external_id")) {
                return structuredError(400, "alias-0", "Only external_id is served by this fake");
            }
            return switch (method) {
                case "PATCH" -> updateUser(app, externalId, json);
                case "GET" -> viewUser(app, externalId);
                case "DELETE" -> app.users.remove(externalId) == null ? Reply.json(404, USER_NOT_FOUND) : Reply.json(200, "{}");
                default -> Reply.json(405, "{\"errors\":[\"Method not allowed\"]}");
            };
        }
        if (USERS.matcher(path).matches() && method.equals("POST")) {
            return createUser(app, json);
        }
        if (NOTIFICATIONS.matcher(path).matches() && method.equals("POST")) {
            return createNotification(app, appId, json);
        }
        if (CUSTOM_EVENTS.matcher(path).matches() && method.equals("POST")) {
            return customEvents(app, json, body.length);
        }
        if ((matcher = SEGMENTS.matcher(path)).matches()) {
            return segments(app, method, matcher.group(2), json, query);
        }
        return Reply.json(404, "{\"errors\":[\"Not Found\"]}");
    }

    private static String notificationAppId(byte[] body) {
        try {
            return Json.MAPPER.readTree(body).path("app_id").asText(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * Create message (https://documentation.onesignal.com/reference/create-message) by External ID: 200 whenever it is
     * well-formed; the users without a subscription of the channel are not sent to ({@code invalid_aliases}, or no
     * notification at all); an idempotency key seen before answers the same notification, marked replayed.
     */
    private Reply createNotification(App app, String appId, JsonNode json) {
        if (!app.messages.take(messagesPerSecond)) {
            return new Reply(429, "{\"errors\":[\"API rate limit exceeded.\"]}", Map.of("Retry-After", "1"));
        }
        JsonNode aliases = json.path("include_aliases");
        if (!aliases.isObject() || aliases.isEmpty()) {
            return Reply.json(400, "{\"errors\":[\"You must include which players, segments, or tags you wish to send this notification to.\"]}");
        }
        JsonNode externalIds = aliases.path("external_id");
        if (!externalIds.isArray() || externalIds.isEmpty()) {
            return Reply.json(400, "{\"errors\":[\"include_aliases: only external_id is served by this fake, as an array\"]}");
        }
        if (externalIds.size() > MAX_ALIASES_PER_NOTIFICATION) {
            return Reply.json(400, "{\"errors\":[\"include_aliases is limited to 2000 entries per request\"]}");
        }
        String channel = json.path("target_channel").asText("");
        if (!CHANNEL_TYPES.containsKey(channel)) {
            return Reply.json(400, "{\"errors\":[\"target_channel must be push, email or sms when include_aliases is used\"]}");
        }
        boolean template = json.hasNonNull("template_id");
        if (!template && !json.path("contents").path("en").isTextual()) {
            return Reply.json(400, "{\"errors\":[\"Message Notifications must have English language content\"]}");
        }
        String key = json.path("idempotency_key").asText(null);
        if (key != null && app.notificationsByIdempotencyKey.containsKey(key)) {
            return new Reply(200, "{\"id\":\"" + app.notificationsByIdempotencyKey.get(key) + "\",\"external_id\":null}",
                    Map.of("Idempotent-Replayed", "true"));
        }
        List<String> recipients = new ArrayList<>();
        ArrayNode invalid = Json.MAPPER.createArrayNode();
        for (JsonNode externalId : externalIds) {
            boolean subscribed = app.subscriptions.getOrDefault(externalId.asText(), List.of()).stream()
                    .anyMatch(s -> s.enabled() && CHANNEL_TYPES.get(channel).contains(s.type()));
            if (subscribed) {
                recipients.add(externalId.asText());
            } else {
                invalid.add(externalId.asText());
            }
        }
        if (recipients.isEmpty()) {
            return Reply.json(200, "{\"id\":\"\",\"errors\":[\"All included players are not subscribed\"]}");
        }
        String id = UUID.randomUUID().toString();
        app.notifications.add(new Notification(id, appId, channel, List.copyOf(recipients), json.deepCopy()));
        EventStreamsEmitter emitter = eventStreams;
        if (emitter != null) {
            for (String recipient : recipients) {
                app.subscriptions.get(recipient).stream().filter(s -> s.enabled() && CHANNEL_TYPES.get(channel).contains(s.type()))
                        .forEach(s -> streamMessageEvents(emitter, appId, id, channel, recipient, s, json));
            }
        }
        if (key != null) {
            app.notificationsByIdempotencyKey.put(key, id);
        }
        recordSent(recipients.size());
        ObjectNode answer = Json.MAPPER.createObjectNode().put("id", id).putNull("external_id");
        if (!invalid.isEmpty()) {
            answer.putObject("errors").putObject("invalid_aliases").set("external_id", invalid);
        }
        return Reply.json(200, answer.toString());
    }

    /** What a sent notification makes Event Streams report for one subscription (https://documentation.onesignal.com/docs/en/event-streams-data). */
    private static void streamMessageEvents(EventStreamsEmitter emitter, String appId, String notificationId, String channel,
                                            String externalId, Subscription subscription, JsonNode notification) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("event.app_id", appId);
        fields.put("event.subscription_device_type", switch (subscription.type()) {
            case "iOSPush" -> "iOS";
            case "AndroidPush" -> "Android";
            case "ChromePush", "ChromeExtensionPush" -> "Chrome";
            case "SafariPush", "SafariLegacyPush" -> "Safari";
            case "FirefoxPush" -> "Firefox";
            default -> subscription.type();
        });
        fields.put("event.subscription_id", subscription.id());
        fields.put("event.onesignal_id", UUID.nameUUIDFromBytes(externalId.getBytes(StandardCharsets.UTF_8)).toString());
        fields.put("event.external_id", externalId);
        fields.put("message.id", notificationId);
        fields.put("message.name", notification.path("name").asText(""));
        // push titles and contents arrive rendered as a dict, contents clipped to 50 characters; an email's title is its subject
        fields.put("message.title", channel.equals("email") ? notification.path("email_subject").asText("")
                : renderedDict(notification.path("headings"), Integer.MAX_VALUE));
        fields.put("message.contents", channel.equals("email") ? "" : renderedDict(notification.path("contents"), 50));
        fields.put("message.template_id", notification.path("template_id").asText(""));
        fields.put("message.url", notification.path("url").asText(""));
        fields.put("user.language", "en");
        String prefix = "message." + channel + ".";
        for (String kind : channel.equals("sms") ? List.of("sent", "delivered") : List.of("sent", "received")) {
            Map<String, String> event = new LinkedHashMap<>(fields);
            event.put("event.kind", prefix + kind);
            emitter.emit(event);
        }
    }

    private static String renderedDict(JsonNode texts, int clip) {
        if (!texts.isObject() || texts.isEmpty()) {
            return "";
        }
        List<String> entries = new ArrayList<>();
        texts.fields().forEachRemaining(text -> {
            String value = text.getValue().asText();
            entries.add("'" + text.getKey() + "':'" + (value.length() > clip ? value.substring(0, clip) : value) + "'");
        });
        return "{" + String.join(",", entries) + "}";
    }

    private Reply createUser(App app, JsonNode json) {
        String externalId = json == null ? null : json.path("identity").path("external_id").asText(null);
        if (externalId == null) {
            return structuredError(400, "identity-0", "identity.external_id is required");
        }
        JsonNode subscriptions = json.path("subscriptions");
        for (JsonNode subscription : subscriptions) {
            String type = subscription.path("type").asText("");
            if (!SUBSCRIPTION_TYPES.contains(type)) {
                return structuredError(400, "subscription-0", "subscriptions[].type must be one of " + new java.util.TreeSet<>(SUBSCRIPTION_TYPES));
            }
            if (subscription.path("token").asText("").isEmpty()) {
                return structuredError(400, "subscription-1", "subscriptions[].token is required for " + type);
            }
        }
        boolean existed = app.users.containsKey(externalId);
        long now = System.currentTimeMillis();
        if (existed && tooSoon(app, externalId, now)) {
            return PER_USER_LIMIT;
        }
        List<Subscription> held = new ArrayList<>(app.subscriptions.getOrDefault(externalId, List.of()));
        List<Subscription> added = new ArrayList<>();
        for (JsonNode subscription : subscriptions) {
            String token = subscription.path("token").asText();
            Subscription previous = held.stream().filter(s -> s.token().equals(token)).findFirst()
                    .or(() -> app.subscriptions.values().stream().flatMap(List::stream).filter(s -> s.token().equals(token)).findFirst())
                    .orElse(null);
            added.add(new Subscription(previous == null ? UUID.randomUUID().toString() : previous.id(),
                    subscription.path("type").asText(), token, subscription.path("enabled").asBoolean(true),
                    subscription.path("device_model").asText(null), subscription.path("device_os").asText(null)));
        }
        long distinctTokens = java.util.stream.Stream.concat(held.stream(), added.stream()).map(Subscription::token).distinct().count();
        if (distinctTokens > MAX_SUBSCRIPTIONS_PER_USER) {
            return structuredError(409, "Subscription Limit Exceeded", "A user can have at most 20 subscriptions");
        }
        for (Subscription subscription : added) {
            // a token is one device: it leaves the user who held it
            app.subscriptions.values().forEach(list -> list.removeIf(s -> s.token().equals(subscription.token())));
            held.removeIf(s -> s.token().equals(subscription.token()));
            held.add(subscription);
        }
        app.subscriptions.values().removeIf(List::isEmpty);
        if (!held.isEmpty()) {
            app.subscriptions.put(externalId, held);
        }
        Map<String, String> tags = app.users.computeIfAbsent(externalId, id -> new LinkedHashMap<>());
        if (!existed) {
            json.path("properties").path("tags").fields().forEachRemaining(tag -> tags.put(tag.getKey(), tag.getValue().asText()));
        }
        app.lastUpdate.put(externalId, now);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.putObject("identity").put("external_id", externalId)
                .put("onesignal_id", UUID.nameUUIDFromBytes(externalId.getBytes(StandardCharsets.UTF_8)).toString());
        ArrayNode echoed = answer.putArray("subscriptions");
        added.forEach(s -> echoed.addObject().put("id", s.id()).put("type", s.type()).put("token", s.token()).put("enabled", s.enabled()));
        return Reply.json(existed ? 202 : 201, answer.toString());
    }

    /** Whether the user was updated less than the per-user interval ago (1 update a second per user). */
    private boolean tooSoon(App app, String externalId, long now) {
        Long last = app.lastUpdate.get(externalId);
        return perUserIntervalMillis > 0 && last != null && now - last < perUserIntervalMillis;
    }

    private Reply updateUser(App app, String externalId, JsonNode json) {
        JsonNode tags = json == null ? null : json.path("properties").path("tags");
        if (json == null || !json.isObject() || tags.isMissingNode()) {
            return structuredError(400, "properties-0", "properties.tags is required");
        }
        if (!tags.isObject()) {
            return structuredError(400, "tags-0", "tags must be an object of strings");
        }
        if (tags.size() > MAX_TAGS_PER_REQUEST) {
            return structuredError(400, "tags-1", "Please limit your tag updates to 100 per request");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tags.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> tag = it.next();
            if (tag.getValue().isContainerNode()) {
                return structuredError(400, "tags-2", "Tag '" + tag.getKey() + "' must be a string; arrays and objects are not supported");
            }
        }
        Map<String, String> current = app.users.get(externalId);
        if (current == null) {
            return Reply.json(404, USER_NOT_FOUND);
        }
        long now = System.currentTimeMillis();
        if (tooSoon(app, externalId, now)) {
            return PER_USER_LIMIT;
        }
        Map<String, String> updated = new LinkedHashMap<>(current);
        tags.fields().forEachRemaining(tag -> {
            String value = tag.getValue().isNull() ? "" : tag.getValue().asText();
            if (value.isEmpty()) {
                updated.remove(tag.getKey());
            } else {
                updated.put(tag.getKey(), value);
            }
        });
        if (updated.size() > app.plan.tagLimit() && updated.size() > current.size()) {
            return structuredError(400, "tags-3", "App is limited to a maximum of " + app.plan.tagLimit() + " tags on a given player");
        }
        current.clear();
        current.putAll(updated);
        app.lastUpdate.put(externalId, now);
        tagUpdates++;
        recordSent(1);
        ObjectNode accepted = ((ObjectNode) json).deepCopy();
        accepted.put("external_id", externalId);
        recordAccepted(accepted);
        return Reply.json(202, "{\"properties\":{\"tags\":" + tags + "}}");
    }

    private Reply viewUser(App app, String externalId) {
        long now = System.currentTimeMillis();
        if (now - app.lastView < 1000) {
            return new Reply(429, "{\"errors\":[\"API rate limit exceeded.\"]}", Map.of("Retry-After", "1"));
        }
        app.lastView = now;
        Map<String, String> tags = app.users.get(externalId);
        if (tags == null) {
            return Reply.json(404, USER_NOT_FOUND);
        }
        ObjectNode user = Json.MAPPER.createObjectNode();
        user.putObject("properties").set("tags", Json.MAPPER.valueToTree(tags));
        user.putObject("identity").put("external_id", externalId);
        return Reply.json(200, user.toString());
    }

    private Reply customEvents(App app, JsonNode json, int bytes) {
        if (bytes > MAX_EVENTS_REQUEST_BYTES || json == null || !json.path("events").isArray()) {
            return Reply.json(400, "{}");
        }
        for (JsonNode event : json.path("events")) {
            String name = event.path("name").asText("");
            boolean identified = event.hasNonNull("external_id") || event.hasNonNull("onesignal_id");
            if (name.isEmpty() || name.length() > 128 || !identified
                    || event.toString().getBytes(StandardCharsets.UTF_8).length > MAX_EVENT_BYTES) {
                return Reply.json(400, "{}");
            }
        }
        recordSent(json.path("events").size());
        ArrayNode errors = Json.MAPPER.createArrayNode();
        for (JsonNode event : json.path("events")) {
            String externalId = event.path("external_id").asText();
            if (!app.users.containsKey(externalId)) {
                ObjectNode error = errors.addObject();
                error.put("event_user_id", externalId);
                error.put("event_id", UUID.randomUUID().toString());
                error.putObject("error").put("code", "not found").put("title", "failed to find a onesignal_id for user_id " + externalId);
                continue;
            }
            String key = event.path("idempotency_key").asText(null);
            if (key == null || app.idempotencyKeys.add(key)) {
                ObjectNode stored = event.deepCopy();
                if (!stored.has("properties") && stored.has("payload")) {
                    stored.set("properties", stored.remove("payload"));
                }
                app.customEvents.add(stored);
                recordAccepted(stored);
            }
        }
        return Reply.json(202, errors.isEmpty() ? "{}" : "{\"errors\":" + errors + "}");
    }

    private Reply segments(App app, String method, String id, JsonNode json, String query) {
        if (!app.plan.segmentsApi()) {
            return Reply.json(403, "{\"success\":false,\"errors\":[\"This API is not available for applications on your plan.\"]}");
        }
        if (id == null && method.equals("GET")) {
            int offset = queryInt(query, "offset", 0);
            int limit = Math.min(300, queryInt(query, "limit", 300));
            ObjectNode page = Json.MAPPER.createObjectNode();
            page.put("total_count", app.segments.size()).put("offset", offset).put("limit", limit);
            ArrayNode list = page.putArray("segments");
            app.segments.values().stream().skip(offset).limit(limit)
                    .forEach(s -> list.addObject().put("id", s.id()).put("name", s.name()).put("read_only", false).put("is_active", true));
            return Reply.json(200, page.toString());
        }
        if (id == null && method.equals("POST")) {
            String problem = validateSegment(json, true);
            if (problem != null) {
                return segmentError(400, problem);
            }
            String name = json.path("name").asText();
            if (app.segments.values().stream().anyMatch(s -> s.name().equals(name))) {
                return segmentError(409, "Segment name is already taken.");
            }
            if (app.segments.size() >= app.plan.segmentLimit()) {
                return Reply.json(422, "{\"errors\":[\"You have reached the maximum number of segments allowed for your plan.\"]}");
            }
            String segmentId = json.hasNonNull("id") ? json.path("id").asText() : UUID.randomUUID().toString();
            app.segments.put(segmentId, new Segment(segmentId, name, json.path("filters").deepCopy()));
            return Reply.json(201, "{\"success\":true,\"id\":\"" + segmentId + "\"}");
        }
        Segment segment = id == null ? null : app.segments.get(id);
        if (segment == null) {
            return Reply.json(404, "{\"success\":false,\"errors\":[\"segment not found\"]}");
        }
        switch (method) {
            case "GET":
                return Reply.json(200, "{\"subscriber_count\":0,\"payload\":{\"id\":\"" + id + "\",\"name\":"
                        + Json.MAPPER.valueToTree(segment.name()) + ",\"filters\":" + segment.filters() + "}}");
            case "DELETE":
                app.segments.remove(id);
                return Reply.json(200, "{\"success\":true}");
            case "PATCH": {
                String problem = validateSegment(json, json != null && json.has("filters"));
                if (problem != null) {
                    return segmentError(400, problem);
                }
                String name = json.path("name").asText();
                if (app.segments.values().stream().anyMatch(s -> s.name().equals(name) && !s.id().equals(id))) {
                    return segmentError(400, "Segment name is already taken.");
                }
                app.segments.put(id, new Segment(id, name, json.has("filters") ? json.path("filters").deepCopy() : segment.filters()));
                return Reply.json(200, "{\"success\":true,\"id\":\"" + id + "\"}");
            }
            default:
                return segmentError(405, "Method not allowed");
        }
    }

    /** The first thing wrong with a create or update body, or null. */
    private static String validateSegment(JsonNode json, boolean filtersRequired) {
        if (json == null || !json.isObject()) {
            return "body must be a JSON object";
        }
        String name = json.path("name").asText("");
        if (name.isBlank()) {
            return "name is required";
        }
        if (name.length() > 128) {
            return "name must be at most 128 characters";
        }
        JsonNode filters = json.path("filters");
        if (!filtersRequired) {
            return null;
        }
        if (!filters.isArray() || filters.isEmpty()) {
            return "filters must be a non-empty array";
        }
        if (filters.size() > 200) {
            return "at most 200 filters and operators are allowed";
        }
        if (filters.get(filters.size() - 1).has("operator")) {
            return "filters must not end with an operator";
        }
        for (JsonNode filter : filters) {
            if (filter.has("operator")) {
                if (!Set.of("OR", "AND").contains(filter.path("operator").asText())) {
                    return "operator must be OR or AND";
                }
                continue;
            }
            String field = filter.path("field").asText("");
            if (!FIELDS.contains(field)) {
                return "unknown filter field '" + field + "'";
            }
            if (field.equals("tag") && (filter.path("key").asText("").isEmpty()
                    || !TAG_RELATIONS.contains(filter.path("relation").asText("")))) {
                return "a tag filter needs a key and one of the relations " + TAG_RELATIONS;
            }
        }
        return null;
    }

    /** Evaluates tag filters on a user's tags; filters on other fields never match here. */
    private static boolean matches(JsonNode filters, Map<String, String> tags) {
        boolean any = false;
        boolean all = true;
        for (JsonNode filter : filters) {
            if (filter.path("operator").asText().equals("OR")) {
                any |= all;
                all = true;
                continue;
            }
            if (filter.has("operator")) {
                continue;
            }
            all &= matchesFilter(filter, tags);
        }
        return any || all;
    }

    private static boolean matchesFilter(JsonNode filter, Map<String, String> tags) {
        if (!filter.path("field").asText().equals("tag")) {
            return false;
        }
        String value = tags.get(filter.path("key").asText());
        String wanted = filter.path("value").asText();
        return switch (filter.path("relation").asText()) {
            case "exists" -> value != null;
            case "not_exists" -> value == null;
            case "=" -> wanted.equals(value);
            case "!=" -> !wanted.equals(value);
            case ">", "<" -> value != null && compare(value, wanted) * (filter.path("relation").asText().equals(">") ? 1 : -1) > 0;
            default -> false;
        };
    }

    private static int compare(String value, String wanted) {
        try {
            return Double.compare(Double.parseDouble(value), Double.parseDouble(wanted));
        } catch (NumberFormatException e) {
            return value.compareTo(wanted);
        }
    }

    private static String token(String authorization) {
        if (authorization == null) {
            return null;
        }
        for (String scheme : List.of("Key ", "Basic ", "Bearer ")) {
            if (authorization.regionMatches(true, 0, scheme, 0, scheme.length())) {
                return authorization.substring(scheme.length()).trim();
            }
        }
        return "";
    }

    private static int queryInt(String query, String name, int fallback) {
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith(name + "=")) {
                    try {
                        return Integer.parseInt(pair.substring(name.length() + 1));
                    } catch (NumberFormatException e) {
                        return fallback;
                    }
                }
            }
        }
        return fallback;
    }

    private App app(String appId) {
        App app = apps.get(appId);
        if (app == null) {
            throw new IllegalArgumentException("no such app in the fake: " + appId);
        }
        return app;
    }

    private static Reply structuredError(int status, String code, String title) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("errors").addObject().put("code", code).put("title", title).putObject("meta");
        return Reply.json(status, body.toString());
    }

    private static Reply segmentError(int status, String message) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("success", false);
        body.putArray("errors").add(message);
        return Reply.json(status, body.toString());
    }

    @Override
    protected String faultBody(int status) {
        return switch (status) {
            case 429 -> "{\"errors\":[\"API rate limit exceeded.\"]}";
            case 503 -> "{\"errors\":[\"Service temporarily unavailable\"]}";
            default -> "{\"errors\":[\"Internal Server Error\"]}";
        };
    }
}
