package io.signalhub.delivery;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import io.signalhub.ingress.InvalidInputException;
import io.signalhub.kafka.ConsumerGroups;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.RouteController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pause, resume and rewind of one destination, by stopping and starting its consumer route. Stopped, not
 * suspended: Camel's Kafka consumer pauses the partitions it holds at that moment, and one suspended
 * before its group had assigned it any was seen to deliver what it was assigned afterwards.
 */
public final class DestinationControl implements DestinationControlMXBean {

    private static final Logger LOG = LoggerFactory.getLogger(DestinationControl.class);

    private final CamelContext camel;
    private final Destination destination;
    private final String routeId;
    private final ConsumerGroups groups;
    private final String group;
    private final String topic;

    public DestinationControl(CamelContext camel, Destination destination, String routeId, ConsumerGroups groups,
                              String group, String topic) {
        this.camel = camel;
        this.destination = destination;
        this.routeId = routeId;
        this.groups = groups;
        this.group = group;
        this.topic = topic;
    }

    public String name() {
        return destination.name();
    }

    private RouteController routes() {
        if (camel.getRoute(routeId) == null) {
            throw new IllegalStateException(name() + " is not enabled: it has no consumer to control");
        }
        return camel.getRouteController();
    }

    @Override
    public boolean isPaused() {
        return camel.getRoute(routeId) != null && camel.getRouteController().getRouteStatus(routeId) == ServiceStatus.Stopped;
    }

    @Override
    public void pause() {
        try {
            routes().stopRoute(routeId);
        } catch (Exception e) {
            throw new IllegalStateException("could not pause " + name() + ": " + e.getMessage(), e);
        }
        LOG.info("{} paused: its consumer is stopped, its events wait in Kafka", name());
    }

    @Override
    public void resume() {
        try {
            routes().startRoute(routeId);
        } catch (Exception e) {
            throw new IllegalStateException("could not resume " + name() + ": " + e.getMessage(), e);
        }
        LOG.info("{} resumed", name());
    }

    @Override
    public synchronized long rewind(String since) {
        Instant from;
        try {
            from = Instant.parse(since == null ? "" : since.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("since must be an ISO-8601 instant such as 2026-12-01T10:00:00Z");
        }
        RouteController routes = routes();
        boolean paused = isPaused();
        try {
            // the group must be empty to move its offsets: this instance leaves it for the moment
            routes.stopRoute(routeId);
            long again;
            try {
                again = groups.rewind(group, topic, from);
                destination.forgetDelivered();
            } finally {
                if (!paused) {
                    routes.startRoute(routeId);
                }
            }
            LOG.info("{} rewound to {}: {} records are delivered again", name(), from, again);
            return again;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not rewind " + name() + ": " + e.getMessage(), e);
        }
    }
}
