package io.signalhub.monitoring;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

public final class IngressStats implements IngressStatsMXBean {

    private final AtomicLong accepted = new AtomicLong();
    private final ReasonCounters rejected = new ReasonCounters();
    /** Kinds are the sender's words: the counters by kind stop growing at this many. */
    public static final int MAX_KINDS = 50;

    private final AtomicLong ignored = new AtomicLong();
    private final ReasonCounters ignoredByKind = new ReasonCounters();

    public void accepted(int events) {
        accepted.addAndGet(events);
    }

    public void rejected(String reason) {
        rejected.add(reason, 1);
    }

    /** Counts an event accepted but not forwarded; true when its kind was never seen before. */
    public boolean ignored(String kind) {
        ignored.incrementAndGet();
        boolean known = ignoredByKind.has(kind);
        ignoredByKind.add(known || ignoredByKind.size() < MAX_KINDS ? kind : "other", 1);
        return !known;
    }

    @Override
    public long getAccepted() {
        return accepted.get();
    }

    @Override
    public Map<String, Long> getRejected() {
        return rejected.snapshot();
    }

    ReasonCounters rejectedByReason() {
        return rejected;
    }

    @Override
    public long getIgnored() {
        return ignored.get();
    }

    @Override
    public Map<String, Long> getIgnoredByKind() {
        return ignoredByKind.snapshot();
    }

    ReasonCounters ignoredByKind() {
        return ignoredByKind;
    }
}
