package io.signalhub.monitoring;

import java.util.Map;
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

    public void messages(int count) {
        messages.addAndGet(count);
    }

    public void tagUpdate() {
        tagUpdates.incrementAndGet();
    }

    public void coalesced(int saved) {
        coalesced.addAndGet(saved);
    }

    public void customEvents(int count) {
        customEvents.addAndGet(count);
    }

    public void unmatched(int count) {
        unmatched.addAndGet(count);
    }

    public void segmentCreated() {
        segmentsCreated.incrementAndGet();
    }

    public void segmentRefused() {
        segmentsRefused.incrementAndGet();
    }

    public void deviceRegistered() {
        devicesRegistered.incrementAndGet();
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
    public void notified(int notSubscribedUsers, int invalidAliasUsers) {
        notifications.incrementAndGet();
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

    public void dropped(String reason, long count) {
        if (count > 0) {
            dropped.add(reason, count);
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
