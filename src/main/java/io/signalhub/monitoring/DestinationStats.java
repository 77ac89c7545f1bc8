package io.signalhub.monitoring;

import java.util.concurrent.atomic.AtomicLong;

public final class DestinationStats implements DestinationStatsMXBean {

    private final boolean enabled;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private volatile String lastError = "";
    /** When the current run of failures began (epoch ms), 0 while deliveries succeed. */
    private volatile long failingSince;

    public DestinationStats(boolean enabled) {
        this.enabled = enabled;
    }

    public void delivered(int events) {
        delivered.addAndGet(events);
        if (events > 0) {
            failingSince = 0;
        }
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

    public void parked(int events) {
        parked.addAndGet(events);
    }

    public void error(String error) {
        lastError = error;
        if (failingSince == 0) {
            failingSince = System.currentTimeMillis();
        }
    }

    @Override
    public long getFailingForSeconds() {
        long since = failingSince;
        return since == 0 ? 0 : (System.currentTimeMillis() - since) / 1000;
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
    public long getParked() {
        return parked.get();
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
