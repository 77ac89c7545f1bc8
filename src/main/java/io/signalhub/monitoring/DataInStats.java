package io.signalhub.monitoring;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

public final class DataInStats implements DataInStatsMXBean {

    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong tagUpdates = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();
    private final AtomicLong customEvents = new AtomicLong();
    private final AtomicLong unmatched = new AtomicLong();
    private final AtomicLong segmentsCreated = new AtomicLong();
    private final AtomicLong segmentsRefused = new AtomicLong();
    private final AtomicLong devicesRegistered = new AtomicLong();
    private final ReasonCounters notifiedByTrigger = new ReasonCounters();
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong notificationsDryRun = new AtomicLong();
    private final AtomicLong notSubscribed = new AtomicLong();
    private final AtomicLong invalidAliases = new AtomicLong();
    private final ReasonCounters dropped = new ReasonCounters();
    private final Map<String, ReasonCounters> byApp = new ConcurrentHashMap<>();

    public void messages(String app, int count) {
        messages.addAndGet(count);
        forApp(app, "messages", count);
    }

    public void tagUpdate(String app) {
        tagUpdates.incrementAndGet();
        forApp(app, "tagUpdates", 1);
    }

    public void coalesced(String app, int saved) {
        coalesced.addAndGet(saved);
        forApp(app, "coalescedRequestsSaved", saved);
    }

    public void customEvents(String app, int count) {
        customEvents.addAndGet(count);
        forApp(app, "customEvents", count);
    }

    public void unmatched(String app, int count) {
        unmatched.addAndGet(count);
        forApp(app, "unmatchedUsers", count);
    }

    public void segmentCreated(String app) {
        segmentsCreated.incrementAndGet();
        forApp(app, "segmentsCreated", 1);
    }

    public void segmentRefused(String app) {
        segmentsRefused.incrementAndGet();
        forApp(app, "segmentsRefused", 1);
    }

    public void deviceRegistered(String app) {
        devicesRegistered.incrementAndGet();
        forApp(app, "devicesRegistered", 1);
    }

    /** The same counts per OneSignal app (the name in hub.onesignal.apps, or default), drops as dropped.&lt;reason&gt;. */
    public Map<String, Map<String, Long>> byApp() {
        Map<String, Map<String, Long>> snapshot = new TreeMap<>();
        byApp.forEach((app, counts) -> snapshot.put(app, counts.snapshot()));
        return snapshot;
    }

    private void forApp(String app, String count, long value) {
        if (value > 0) {
            byApp.computeIfAbsent(app, a -> new ReasonCounters()).add(count, value);
        }
    }

    @Override
    public long getDevicesRegistered() {
        return devicesRegistered.get();
    }

    /** Users a trigger matched (and was asked to notify). */
    public void triggered(String trigger, int users) {
        notifiedByTrigger.add(trigger, users);
    }

    public void dryRun(int requests) {
        notificationsDryRun.addAndGet(requests);
    }

    /** OneSignal's answer to a notification: how many it did not send to, and why. */
    public void notified(String app, int notSubscribedUsers, int invalidAliasUsers) {
        notifications.incrementAndGet();
        forApp(app, "notifications", 1);
        notSubscribed.addAndGet(notSubscribedUsers);
        invalidAliases.addAndGet(invalidAliasUsers);
    }

    @Override
    public Map<String, Long> getTriggeredUsersByTrigger() {
        return notifiedByTrigger.snapshot();
    }

    @Override
    public long getNotifications() {
        return notifications.get();
    }

    @Override
    public long getNotificationsDryRun() {
        return notificationsDryRun.get();
    }

    @Override
    public long getNotificationsNotSubscribed() {
        return notSubscribed.get();
    }

    @Override
    public long getNotificationsInvalidAliases() {
        return invalidAliases.get();
    }

    public void dropped(String app, String reason, long count) {
        if (count > 0) {
            dropped.add(reason, count);
            forApp(app, "dropped." + reason, count);
        }
    }

    @Override
    public long getMessages() {
        return messages.get();
    }

    @Override
    public long getTagUpdates() {
        return tagUpdates.get();
    }

    @Override
    public long getCoalescedRequestsSaved() {
        return coalesced.get();
    }

    @Override
    public long getCustomEvents() {
        return customEvents.get();
    }

    @Override
    public long getUnmatchedUsers() {
        return unmatched.get();
    }

    @Override
    public long getSegmentsCreated() {
        return segmentsCreated.get();
    }

    @Override
    public long getSegmentsRefused() {
        return segmentsRefused.get();
    }

    @Override
    public Map<String, Long> getDropped() {
        return dropped.snapshot();
    }

    ReasonCounters triggeredByTrigger() {
        return notifiedByTrigger;
    }

    ReasonCounters droppedByReason() {
        return dropped;
    }
}
