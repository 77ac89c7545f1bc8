package io.signalhub.monitoring;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

public final class IngressStats implements IngressStatsMXBean {

    private final AtomicLong accepted = new AtomicLong();
    private final ReasonCounters rejected = new ReasonCounters();
    private final AtomicLong ignored = new AtomicLong();

    public void accepted(int events) {
        accepted.addAndGet(events);
    }

    public void rejected(String reason) {
        rejected.add(reason, 1);
    }

    public void ignored(int events) {
        ignored.addAndGet(events);
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
}
