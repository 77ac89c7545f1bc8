package io.signalhub.monitoring;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

public final class DestinationStats implements DestinationStatsMXBean {

    private final boolean enabled;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final ReasonCounters deadLettered = new ReasonCounters();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private volatile long lagRecords;
    /** The Kafka timestamp of the oldest record of the batch being delivered (epoch ms), 0 when none waits. */
    private volatile long pendingSince;
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

    public void deadLettered(String reason, int events) {
        deadLettered.add(reason, events);
    }

    public void skipped(int events) {
        skipped.addAndGet(events);
    }

    public void duplicates(int events) {
        duplicates.addAndGet(events);
    }

    public void lagRecords(long records) {
        lagRecords = records;
    }

    public void pending(long oldestRecordMillis) {
        pendingSince = oldestRecordMillis;
    }

    public void error(String error) {
        lastError = java.time.Instant.now() + " " + error;
        if (failingSince == 0) {
            failingSince = System.currentTimeMillis();
        }
    }

    public ReasonCounters deadLetteredByReason() {
        return deadLettered;
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
    public long getDeadLettered() {
        return deadLettered.snapshot().values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public Map<String, Long> getDeadLetteredByReason() {
        return deadLettered.snapshot();
    }

    @Override
    public long getSkipped() {
        return skipped.get();
    }

    @Override
    public long getDuplicates() {
        return duplicates.get();
    }

    @Override
    public long getLagRecords() {
        return lagRecords;
    }

    @Override
    public long getLagSeconds() {
        long since = pendingSince;
        return since == 0 ? 0 : Math.max(0, (System.currentTimeMillis() - since) / 1000);
    }

    @Override
    public String getLastError() {
        return lastError;
    }
}
