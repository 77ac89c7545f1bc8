package io.signalhub.monitoring;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/** Counters keyed by a reason that first shows at run time; each new reason is announced (to Prometheus). */
public final class ReasonCounters {

    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private volatile BiConsumer<String, AtomicLong> onNewReason = (reason, counter) -> { };

    public void add(String reason, long count) {
        counters.computeIfAbsent(reason, r -> {
            AtomicLong counter = new AtomicLong();
            onNewReason.accept(r, counter);
            return counter;
        }).addAndGet(count);
    }

    public boolean has(String reason) {
        return counters.containsKey(reason);
    }

    public int size() {
        return counters.size();
    }

    /** Calls back for every reason seen so far and every reason still to come. */
    public void onNewReason(BiConsumer<String, AtomicLong> listener) {
        onNewReason = listener;
        counters.forEach(listener);
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> snapshot = new TreeMap<>();
        counters.forEach((reason, count) -> snapshot.put(reason, count.get()));
        return snapshot;
    }
}
