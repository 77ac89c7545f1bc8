package io.signalhub.monitoring;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

public final class IngressStats implements IngressStatsMXBean {

    private final AtomicLong accepted = new AtomicLong();
    private final Map<String, AtomicLong> rejected = new ConcurrentHashMap<>();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong invalidRecords = new AtomicLong();

    public void accepted(int events) {
        accepted.addAndGet(events);
    }

    public void rejected(String reason) {
        rejected.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    public void duplicates(int events) {
        duplicates.addAndGet(events);
    }

    public void ignored(int events) {
        ignored.addAndGet(events);
    }

    public void invalidRecords(int records) {
        invalidRecords.addAndGet(records);
    }

    @Override
    public long getAccepted() {
        return accepted.get();
    }

    @Override
    public Map<String, Long> getRejected() {
        Map<String, Long> snapshot = new TreeMap<>();
        rejected.forEach((reason, count) -> snapshot.put(reason, count.get()));
        return snapshot;
    }

    @Override
    public long getDuplicates() {
        return duplicates.get();
    }

    @Override
    public long getIgnored() {
        return ignored.get();
    }

    @Override
    public long getInvalidRecords() {
        return invalidRecords.get();
    }
}
