package io.signalhub.datain;

import io.signalhub.vendors.onesignal.OneSignalApps;
import io.signalhub.vendors.onesignal.OneSignalRequest;
import io.signalhub.vendors.segment.SegmentMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.kafka.PartitionCommits;
import io.signalhub.monitoring.DataInStats;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real-time notifications from Segment (OneSignal's legacy Segment guide): the triggers of
 * {@code config/triggers.yaml} matched against each message of a poll, the users one trigger matched in the
 * poll gathered (the splitter's aggregation), and sent together as OneSignal's Create message by External ID,
 * at most 2,000 aliases a request, with an idempotency key derived from the Segment messageIds so a poll
 * handed again is not notified twice.
 */
public final class Triggers {

    /** OneSignal's limit of include_aliases entries per request (https://documentation.onesignal.com/reference/create-message). */
    public static final int MAX_RECIPIENTS = 2000;
    private static final Logger LOG = LoggerFactory.getLogger(Triggers.class);

    /** A user a trigger matched, and the message that matched. */
    public record Match(Trigger trigger, String externalId, String messageId, String record) {
    }

    /** The users each trigger matched in one poll, each once, in arrival order. */
    public static final class Plan {
        private final Map<String, Map<String, Match>> byTrigger = new LinkedHashMap<>();

        void add(List<Match> matches) {
            matches.forEach(m -> byTrigger.computeIfAbsent(m.trigger().name(), t -> new LinkedHashMap<>()).putIfAbsent(m.externalId(), m));
        }
    }

    /** Gathers each message's matches into the poll's {@link Plan}, the body of the aggregated exchange. */
    public static final class Aggregation implements AggregationStrategy {
        @Override
        @SuppressWarnings("unchecked")
        public Exchange aggregate(Exchange plan, Exchange matched) {
            Exchange into = plan == null ? matched : plan;
            Plan collected = plan == null ? new Plan() : plan.getMessage().getBody(Plan.class);
            collected.add(matched.getMessage().getBody(List.class));
            into.getMessage().setBody(collected);
            return into;
        }
    }

    private final List<Trigger> triggers;
    private final OneSignalApps apps;
    private final boolean dryRun;
    private final DataInStats stats;

    public Triggers(List<Trigger> triggers, OneSignalApps apps, boolean dryRun, DataInStats stats) {
        this.triggers = List.copyOf(triggers);
        this.apps = apps;
        this.dryRun = dryRun;
        this.stats = stats;
    }

    public boolean any() {
        return !triggers.isEmpty();
    }

    /** The triggers this message matches, for its user. */
    public List<Match> match(SegmentMessage message) {
        String userId = message.userId();
        if (userId == null) {
            return List.of();
        }
        List<Match> matches = new ArrayList<>();
        for (Trigger trigger : triggers) {
            if (trigger.matches(message)) {
                matches.add(new Match(trigger, userId, message.message().path("messageId").asText(""), message.record()));
            }
        }
        return matches;
    }

    /** The poll's notifications; in dry-run mode only logged (and counted), none sent. */
    public List<OneSignalRequest> requests(Exchange batch) {
        Plan plan = batch.getMessage().getBody() instanceof Plan gathered ? gathered : new Plan();
        List<OneSignalRequest> requests = new ArrayList<>();
        plan.byTrigger.values().forEach(matched -> {
            List<Match> users = List.copyOf(matched.values());
            for (int from = 0; from < users.size(); from += MAX_RECIPIENTS) {
                requests.add(notification(users.subList(from, Math.min(users.size(), from + MAX_RECIPIENTS))));
            }
        });
        for (OneSignalRequest request : requests) {
            stats.triggered(request.subject(), request.items());
        }
        if (dryRun) {
            requests.forEach(r -> LOG.info("dry run (hub.triggers.dry-run): trigger '{}' would notify {} users: {}", r.subject(),
                    r.items(), Json.abbreviate(r.body(), 500)));
            stats.dryRun(requests.size());
            return List.of();
        }
        return requests;
    }

    /** The notifications went (or were refused and dead-lettered): commit the poll. */
    public void complete(Exchange batch) {
        batch.getProperty(PartitionCommits.PROPERTY, PartitionCommits.class).commit();
    }

    private OneSignalRequest notification(List<Match> users) {
        Trigger trigger = users.get(0).trigger();
        OneSignalApps.App app = apps.app(trigger.app());
        ObjectNode body = trigger.send().deepCopy();
        body.put("app_id", app.appId());
        body.put("target_channel", trigger.channel());
        ArrayNode externalIds = body.putObject("include_aliases").putArray("external_id");
        users.forEach(user -> externalIds.add(user.externalId()));
        // the same poll handed again makes the same key: OneSignal answers the notification it already sent
        String seed = "trigger:" + trigger.name() + "\n" + String.join("\n", users.stream()
                .map(user -> user.messageId().isEmpty() ? user.record() : user.messageId()).sorted().toList());
        body.put("idempotency_key", UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString());
        return new OneSignalRequest(OneSignalRequest.NOTIFICATION, app, "POST", "/notifications", body.toString(),
                trigger.name(), users.size(), users.stream().map(Match::record).toList());
    }
}
