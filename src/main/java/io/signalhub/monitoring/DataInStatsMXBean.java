package io.signalhub.monitoring;

import java.util.Map;

/** The Data In chain's counters, per OneSignal destination: what was applied, saved and dropped. */
public interface DataInStatsMXBean {

    /** Segment messages consumed. */
    long getMessages();

    /** Tag updates (PATCH) OneSignal accepted. */
    long getTagUpdates();

    /** PATCH requests saved by coalescing several updates of one user. */
    long getCoalescedRequestsSaved();

    /** Custom events OneSignal accepted. */
    long getCustomEvents();

    /** Users or events OneSignal does not know the External ID of: dropped, never created. */
    long getUnmatchedUsers();

    long getSegmentsCreated();

    /** Segment creations OneSignal refused (plan, segment limit): tagging goes on without the segment. */
    long getSegmentsRefused();

    /** Messages, tags or events dropped, by reason (no_user_id, ignored_type, nested_value, tag_limit, …). */
    Map<String, Long> getDropped();

    /** iOS push subscriptions created or updated from Segment messages (hub.onesignal.register-devices). */
    long getDevicesRegistered();

    /** Users each trigger of config/triggers.yaml matched, by trigger name. */
    Map<String, Long> getTriggeredUsersByTrigger();

    /** Create-message requests OneSignal answered. */
    long getNotifications();

    /** Notifications only logged (hub.triggers.dry-run). */
    long getNotificationsDryRun();

    /** Matched users OneSignal did not notify: no subscription of the channel ("All included players are not subscribed"). */
    long getNotificationsNotSubscribed();

    /** Matched users OneSignal named as invalid_aliases (no such External ID, or nothing to send to). */
    long getNotificationsInvalidAliases();
}
