package io.signalhub.eventstreams;

import io.signalhub.ingress.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.monitoring.IngressStats;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * {@code POST /onesignal/events}: validates a whole body and turns it into one Kafka record per event,
 * keyed by the user, in the canonical form the Data Out consumer reads.
 */
public final class OneSignalIngress {

    /** Exchange property: how many events the body carried that are forwarded nowhere. */
    private static final String IGNORED = "signalhubIgnored";

    private final OneSignalEventParser parser;
    private final int maxBodyBytes;
    private final IngressStats stats;

    public OneSignalIngress(OneSignalEventParser parser, int maxBodyBytes, IngressStats stats) {
        this.parser = parser;
        this.maxBodyBytes = maxBodyBytes;
        this.stats = stats;
    }

    /** Replaces the body with the Kafka records to produce: a list of messages, each with its key. */
    public void toRecords(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body != null && body.length > maxBodyBytes) {
            throw new InvalidInputException(413, "too_large",
                    List.of("the body is " + body.length + " bytes; at most " + maxBodyBytes + " are accepted per request"));
        }
        OneSignalEventParser.Parsed parsed = parser.parseBody(body == null ? null : new String(body, StandardCharsets.UTF_8));
        List<Message> records = new ArrayList<>();
        for (OneSignalEvent event : parsed.events()) {
            Message record = new DefaultMessage(exchange.getContext());
            record.setHeader(KafkaConstants.KEY, event.userKey());
            record.setBody(event.toJson(Json.MAPPER).toString());
            records.add(record);
        }
        exchange.setProperty(IGNORED, parsed.ignored());
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(records);
    }

    /** Kafka has every record: answer 202 with what was taken. */
    public void accepted(Exchange exchange) {
        int events = exchange.getMessage().getBody(List.class).size();
        int ignored = exchange.getProperty(IGNORED, 0, Integer.class);
        stats.accepted(events);
        stats.ignored(ignored);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("accepted", events);
        answer.put("ignored", ignored);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(answer.toString());
    }
}
