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

    ReasonCounters droppedByReason() {
        return dropped;
    }
}
