package io.signalhub.eventstreams;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The OneSignal Event Streams message kinds (https://documentation.onesignal.com/docs/en/event-streams-data) and what the hub derives from a kind. */
public final class EventKinds {

    /** Every message kind, current spelling, in the dashboard's order. */
    public static final List<String> MESSAGE_KINDS = List.of(
            "message.push.sent", "message.push.received", "message.push.clicked", "message.push.failed",
            "message.push.unsubscribed",
            "message.iam.impression", "message.iam.clicked", "message.iam.page_displayed",
            "message.email.sent", "message.email.received", "message.email.opened", "message.email.clicked",
            "message.email.unsubscribed", "message.email.reported_as_spam", "message.email.bounced",
            "message.email.failed", "message.email.suppressed",
            "message.sms.sent", "message.sms.failed", "message.sms.delivered", "message.sms.undelivered");

    /** Spellings from older revisions of OneSignal's docs, still accepted. */
    private static final Map<String, String> OLDER_SPELLINGS = Map.of(
            "message.iam.displayed", "message.iam.impression",
            "message.iam.pagedisplayed", "message.iam.page_displayed",
            "message.email.hardbounced", "message.email.bounced",
            "message.email.supressed", "message.email.suppressed");

    private static final Set<String> CURRENT_KINDS = Set.copyOf(MESSAGE_KINDS);

    /** Every item of every vendor names the channel: worked out once per kind. */
    private static final Map<String, String> MESSAGE_TYPES = MESSAGE_KINDS.stream()
            .collect(Collectors.toUnmodifiableMap(kind -> kind, EventKinds::channelOf));

    private static final String LIVE_ACTIVITY_PREFIX = "message.live_activity.";

    private EventKinds() {
    }

    /** The current spelling of a message kind, or empty when the kind is not a message kind. */
    public static Optional<String> normalize(String kind) {
        String current = OLDER_SPELLINGS.getOrDefault(kind, kind);
        return CURRENT_KINDS.contains(current) ? Optional.of(current) : Optional.empty();
    }

    /** Whether the kind is a message kind in its current spelling. */
    public static boolean isCurrentMessageKind(String kind) {
        return CURRENT_KINDS.contains(kind);
    }

    /** Live Activity kinds are accepted but no integration forwards them. */
    public static boolean isLiveActivity(String kind) {
        return kind.startsWith(LIVE_ACTIVITY_PREFIX) && kind.length() > LIVE_ACTIVITY_PREFIX.length();
    }

    /** The channel as the vendors' {@code message_type} property names it: push, in-app, email or SMS. */
    public static String messageType(String kind) {
        String type = MESSAGE_TYPES.get(kind);
        return type != null ? type : channelOf(kind);
    }

    private static String channelOf(String kind) {
        int start = kind.indexOf('.') + 1;
        int end = kind.indexOf('.', start);
        return switch (end < 0 ? "" : kind.substring(start, end)) {
            case "push" -> "push";
            case "iam" -> "in-app";
            case "email" -> "email";
            case "sms" -> "SMS";
            default -> throw new IllegalArgumentException("not a message kind: " + kind);
        };
    }
}
