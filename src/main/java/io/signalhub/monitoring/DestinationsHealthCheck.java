package io.signalhub.monitoring;

import io.signalhub.delivery.HttpStatus;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: DOWN while an enabled destination has failed every call for longer than the threshold
 * (its events wait in Kafka; nothing is lost, but someone should look). Kafka's own reachability is
 * Camel's consumer health check.
 */
public final class DestinationsHealthCheck extends AbstractHealthCheck {

    private final Map<String, DestinationStats> destinations;
    private final long stuckAfterSeconds;

    public DestinationsHealthCheck(Map<String, DestinationStats> destinations, long stuckAfterSeconds) {
        super("signalhub", "destinations");
        this.destinations = destinations;
        this.stuckAfterSeconds = stuckAfterSeconds;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        StringBuilder stuck = new StringBuilder();
        destinations.forEach((name, stats) -> {
            if (stats.isEnabled() && stats.getFailingForSeconds() > stuckAfterSeconds) {
                stuck.append(stuck.isEmpty() ? "" : "; ").append(name).append(" failing for ")
                        .append(stats.getFailingForSeconds()).append(" s: ").append(HttpStatus.withoutAnswer(stats.getLastError()));
                builder.detail(name + ".failing.seconds", stats.getFailingForSeconds());
            }
        });
        if (stuck.isEmpty()) {
            builder.up();
        } else {
            builder.message(stuck.toString()).down();
        }
    }
}
