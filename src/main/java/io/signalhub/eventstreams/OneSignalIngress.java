package io.signalhub.eventstreams;

import io.signalhub.ingress.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.signalhub.monitoring.IngressStats;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /onesignal/events}: validates a whole body and turns it into one Kafka record per event,
 * keyed by the user, in the canonical form the Data Out consumer reads.
 */
public final class OneSignalIngress {

    /** Exchange property: the kinds of the events the body carried that are forwarded nowhere. */
    private static final String IGNORED = "signalhubIgnored";
    /** Exchange property: how many records the body became (the route produces only when there are some). */
    private static final String EVENTS = "signalhubEvents";
    private static final Logger LOG = LoggerFactory.getLogger(OneSignalIngress.class);

    private final OneSignalEventParser parser;
    private final int maxBodyBytes;
    private final IngressStats stats;
    private final Set<String> appIds;

    /** @param appIds the OneSignal apps configured: an event of another app is refused (none configured: any app) */
    public OneSignalIngress(OneSignalEventParser parser, int maxBodyBytes, IngressStats stats, Set<String> appIds) {
        this.parser = parser;
        this.maxBodyBytes = maxBodyBytes;
        this.stats = stats;
        this.appIds = Set.copyOf(appIds);
    }

    /** Replaces the body with the Kafka records to produce: one record, or a list of messages, each with its key. */
    public void toRecords(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body != null && body.length > maxBodyBytes) {
            throw new InvalidInputException(413, "too_large",
                    List.of("the body is " + body.length + " bytes; at most " + maxBodyBytes + " are accepted per request"));
        }
        OneSignalEventParser.Parsed parsed = parser.parseBody(body);
        // a stream pointed here from another OneSignal app (or a guessed token) is not this hub's data
        Set<String> foreign = new TreeSet<>();
        parsed.events().stream().map(OneSignalEvent::appId).filter(id -> id != null && !appIds.isEmpty() && !appIds.contains(id))
                .forEach(foreign::add);
        if (!foreign.isEmpty()) {
            throw new InvalidInputException(403, "unknown_app", List.of("event.app_id " + foreign
                    + " is no OneSignal app of this hub (hub.onesignal.app-id, hub.onesignal.apps): nothing was accepted"));
        }
        List<OneSignalEvent> events = parsed.events();
        exchange.setProperty(IGNORED, parsed.ignoredKinds());
        exchange.setProperty(EVENTS, events.size());
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        if (events.size() == 1) {
            // what Event Streams sends: one event a request, produced as the message itself
            message.setHeader(KafkaConstants.KEY, events.get(0).userKey());
            message.setBody(events.get(0).canonicalJson());
            return;
        }
        List<Message> records = new ArrayList<>();
        for (OneSignalEvent event : events) {
            Message record = new DefaultMessage(exchange.getContext());
            record.setHeader(KafkaConstants.KEY, event.userKey());
            record.setBody(event.canonicalJson());
            records.add(record);
        }
        message.setBody(records);
    }

    /** Kafka has every record: answer 202 with what was taken. */
    public void accepted(Exchange exchange) {
        int events = exchange.getProperty(EVENTS, Integer.class);
        List<?> ignored = exchange.getProperty(IGNORED, List.class);
        stats.accepted(events);
        for (Object kind : ignored) {
            if (stats.ignored((String) kind)) {
                LOG.info("OneSignal sent events of kind '{}', which no destination takes: accepted and counted "
                        + "(signalhub_ingress_ignored_total), not forwarded", kind);
            }
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody("{\"accepted\":" + events + ",\"ignored\":" + ignored.size() + "}");
    }
}
