package io.signalhub.monitoring;

import java.util.concurrent.atomic.AtomicLong;

public final class DestinationStats implements DestinationStatsMXBean {

    private final boolean enabled;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile String lastError = "";

    public DestinationStats(boolean enabled) {
        this.enabled = enabled;
    }

    public void delivered(int events) {
        delivered.addAndGet(events);
    }

    public void retried() {
        retried.incrementAndGet();
    }

    public void throttled() {
        throttled.incrementAndGet();
    }

    public void deadLettered(int events) {
        deadLettered.addAndGet(events);
    }

    public void skipped(int events) {
        skipped.addAndGet(events);
    }

    public void error(String error) {
        lastError = error;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public long getDelivered() {
        return delivered.get();
    }

    @Override
    public long getRetried() {
        return retried.get();
    }

    @Override
    public long getThrottled() {
        return throttled.get();
    }

    @Override
    public long getDeadLettered() {
        return deadLettered.get();
    }

    @Override
    public long getSkipped() {
        return skipped.get();
    }

    @Override
    public String getLastError() {
        return lastError;
    }
}
