package io.signalhub.delivery;

import io.signalhub.monitoring.HubMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * The waits between attempts of a request. Camel's redelivery policy gives the exponential backoff with
 * jitter; when the vendor said how long to wait (Retry-After, Amplitude's throttle window), that wait is
 * the delay of the next attempt instead (Camel's {@link Exchange#REDELIVERY_DELAY} header), capped by
 * {@code hub.delivery.max-retry-after-ms} and never stretched by the backoff. Counts every retry.
 */
public final class RetryGate implements Processor {

    private final HubMetrics metrics;
    private final long maxRetryAfterMillis;

    public RetryGate(HubMetrics metrics, long maxRetryAfterMillis) {
        this.metrics = metrics;
        this.maxRetryAfterMillis = maxRetryAfterMillis;
    }

    /**
     * Clears a request's headers between calls, keeping Camel's redelivery bookkeeping: without it
     * every attempt would count as the first and the redelivery limit would never be reached.
     */
    public static void clearHeaders(Message message) {
        message.removeHeaders("*", Exchange.REDELIVERED, Exchange.REDELIVERY_COUNTER, Exchange.REDELIVERY_MAX_COUNTER);
    }

    /** The next attempt waits what the vendor asked for, when it asked (0: the backoff decides). */
    public void waitFor(Message message, long vendorWaitMillis) {
        if (vendorWaitMillis > 0) {
            message.setHeader(Exchange.REDELIVERY_DELAY, Math.min(vendorWaitMillis, maxRetryAfterMillis));
        }
    }

    @Override
    public void process(Exchange exchange) {
        String destination = exchange.getProperty(Destination.NAME, String.class);
        if (destination != null && metrics.destination(destination) != null) {
            metrics.destination(destination).retried();
        }
    }
}
