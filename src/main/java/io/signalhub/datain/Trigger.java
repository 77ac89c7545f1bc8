package io.signalhub.datain;

import io.signalhub.vendors.segment.SegmentMessage;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One entry of {@code config/triggers.yaml}: when a Segment message matches, the user gets a notification
 * (OneSignal's Create message, https://documentation.onesignal.com/reference/create-message).
 *
 * @param name     the trigger's name, in counters and logs and in the notifications' idempotency keys
 * @param audience the Engage audience whose membership change matches, or null
 * @param entered  with an audience: whether entering (true) or leaving (false) matches
 * @param event    the track event name that matches, or null
 * @param app      the OneSignal app (a name from hub.onesignal.apps, or default)
 * @param channel  OneSignal's target_channel: push, email or sms
 * @param send     the notification's content fields, as Create message takes them (template_id, or contents
 *                 and headings per language, and any other content field)
 */
public record Trigger(String name, String audience, boolean entered, String event, String app, String channel, ObjectNode send) {

    /** Whether the message is what this trigger waits for. */
    public boolean matches(SegmentMessage message) {
        if (!message.app().equals(app)) {
            return false;
        }
        if (event != null) {
            return message.getType().equals("track") && event.equals(message.message().path("event").asText(null));
        }
        SegmentMessage.Audience membership = message.audience();
        return membership != null && membership.key().equals(audience) && membership.member() == entered;
    }
}
