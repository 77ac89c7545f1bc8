package io.signalhub.delivery;

import io.signalhub.monitoring.HubMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Runs before each redelivery of a request: counts the retry and, when the vendor asked for a longer
 * wait (Retry-After, throttling windows) than Camel's backoff gave, waits the difference.
 */
public final class RetryGate implements Processor {

    private final HubMetrics metrics;

    public RetryGate(HubMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Clears a request's headers between calls, keeping Camel's redelivery bookkeeping: without it
     * every attempt would count as the first and the redelivery limit would never be reached.
     */
    public static void clearHeaders(Message message) {
        message.removeHeaders("*", Exchange.REDELIVERED, Exchange.REDELIVERY_COUNTER, Exchange.REDELIVERY_MAX_COUNTER);
    }

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        String destination = exchange.getProperty(Destination.NAME, String.class);
        if (destination != null && metrics.destination(destination) != null) {
            metrics.destination(destination).retried();
        }
        Long notBefore = exchange.getProperty(Destination.NOT_BEFORE, Long.class);
        if (notBefore != null) {
            long wait = notBefore - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
        }
    }
}
