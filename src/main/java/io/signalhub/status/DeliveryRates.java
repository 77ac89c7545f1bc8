package io.signalhub.status;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events delivered per minute over a sliding window, per destination, from samples of its delivered
 * counter: the status page shows what a destination does now, not since start. Samples come from a
 * timer route; the oldest sample in the window and the newest give the rate.
 */
public final class DeliveryRates {

    private final int samples;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** @param samples how many samples a window keeps (with a sample every 10 s, 30 make five minutes) */
    public DeliveryRates(int samples) {
        this.samples = samples;
    }

    public void sample(String destination, long nowMillis, long delivered) {
        windows.computeIfAbsent(destination, d -> new Window(samples)).add(nowMillis, delivered);
    }

    /** Events a minute between the oldest and newest samples kept, 0 before two samples. */
    public double perMinute(String destination) {
        Window window = windows.get(destination);
        return window == null ? 0 : window.perMinute();
    }

    private static final class Window {
        private final long[] times;
        private final long[] counts;
        private int next;
        private int size;

        Window(int samples) {
            times = new long[samples];
            counts = new long[samples];
        }

        synchronized void add(long time, long count) {
            times[next] = time;
            counts[next] = count;
            next = (next + 1) % times.length;
            size = Math.min(size + 1, times.length);
        }

        synchronized double perMinute() {
            if (size < 2) {
                return 0;
            }
            int newest = (next - 1 + times.length) % times.length;
            int oldest = size < times.length ? 0 : next;
            long millis = times[newest] - times[oldest];
            return millis <= 0 ? 0 : (counts[newest] - counts[oldest]) * 60_000.0 / millis;
        }
    }
}
