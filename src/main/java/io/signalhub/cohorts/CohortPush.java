package io.signalhub.cohorts;

import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.ingress.InvalidInputException;
import io.signalhub.store.StoreKeys;
import io.signalhub.ingress.HttpErrors;
import io.signalhub.monitoring.HubMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * The vendors' cohort pushes: Mixpanel's custom-webhook cohort sync ({@code POST /mixpanel/cohorts},
 * actions {@code members} paged with {@code page_info}, {@code add_members}, {@code remove_members})
 * and Amplitude's Cohort Webhooks ({@code POST /amplitude/cohorts}). Each push is checked, kept on
 * Kafka (answered only then), and later read into the cohort's run: Mixpanel's full membership only
 * once every page of its session arrived, Amplitude's batches once per {@code message_id}.
 */
public final class CohortPush {

    /** Exchange property: true when the push changes nothing yet (a page of a larger membership). */
    public static final String INCOMPLETE = "signalhubPushIncomplete";
    private static final String MESSAGE_ID = "signalhubPushMessageId";
    private static final Set<String> MIXPANEL_ACTIONS = Set.of("members", "add_members", "remove_members");

    private final CohortSync sync;
    private final CohortStore store;
    private final String mixpanelUserIdProperty;
    private final HubMetrics metrics;

    public CohortPush(CohortSync sync, CohortStore store, String mixpanelUserIdProperty, HubMetrics metrics) {
        this.sync = sync;
        this.store = store;
        this.mixpanelUserIdProperty = mixpanelUserIdProperty;
        this.metrics = metrics;
    }

    /** {@code POST /mixpanel/cohorts}: the record to keep, keyed by the cohort. */
    public void mixpanel(Exchange exchange) {
        JsonNode body = body(exchange);
        String action = body.path("action").asText("");
        exchange.setProperty(HttpErrors.MIXPANEL_ACTION, action.isEmpty() ? "unknown" : action);
        JsonNode parameters = body.path("parameters");
        String cohortId = parameters.path("mixpanel_cohort_id").asText("");
        if (!MIXPANEL_ACTIONS.contains(action) || cohortId.isEmpty() || !parameters.path("members").isArray()) {
            throw new InvalidInputException("a Mixpanel cohort sync needs 'action' (members, add_members or remove_members)"
                    + " and parameters.mixpanel_cohort_id and parameters.members");
        }
        requireFits(cohortId);
        toRecord(exchange, Cohort.MIXPANEL, cohortId, body);
    }

    /** {@code POST /amplitude/cohorts}: the record to keep, keyed by the cohort. */
    public void amplitude(Exchange exchange) {
        JsonNode body = body(exchange);
        String cohortId = body.path("cohort_id").asText("");
        if (cohortId.isEmpty() || !body.path("in_cohort").isBoolean() || !body.path("users").isArray()
                || body.path("message_id").asText("").isEmpty()) {
            throw new InvalidInputException("an Amplitude cohort webhook needs cohort_id, in_cohort (true or false), message_id and users");
        }
        requireFits(cohortId);
        toRecord(exchange, Cohort.AMPLITUDE, cohortId, body);
    }

    /** A cohort id is a key of the store: one too long for it is refused here, before anything is kept. */
    private static void requireFits(String cohortId) {
        if (cohortId.length() > StoreKeys.COHORT_ID) {
            throw new InvalidInputException("the cohort id is " + cohortId.length() + " characters; at most "
                    + StoreKeys.COHORT_ID + " are taken");
        }
    }

    /** Kafka has the push: answer as each vendor expects. */
    public void accepted(Exchange exchange) {
        metrics.ingress(exchange.getProperty(HttpErrors.INGRESS, String.class)).accepted(1);
        String action = exchange.getProperty(HttpErrors.MIXPANEL_ACTION, String.class);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(action == null ? "{\"success\":true}" : "{\"action\":\"" + action + "\",\"status\":\"success\"}");
    }

    /** Reads a kept push into the cohort and its pushed membership, for {@code direct:cohort-sync}. */
    public Cohort read(Exchange exchange) {
        exchange.setProperty(KafkaConstants.MANUAL_COMMIT, exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT));
        JsonNode record = Json.readObject(exchange.getMessage().getBody(String.class));
        String source = record.path("source").asText();
        JsonNode push = record.path("push");
        exchange.setProperty(INCOMPLETE, false);
        if (source.equals(Cohort.MIXPANEL)) {
            JsonNode parameters = push.path("parameters");
            Cohort cohort = sync.cohort(source, parameters.path("mixpanel_cohort_id").asText());
            exchange.setProperty(CohortSync.TRIGGER, "mixpanel-webhook");
            Members members = members(parameters.path("members"), mixpanelUserIdProperty, "mixpanel_distinct_id");
            String name = parameters.path("mixpanel_cohort_name").asText(null);
            switch (push.path("action").asText()) {
                case "add_members" -> pushed(exchange, new Pushed(name, null, members.ids, Set.of(), members.skipped));
                case "remove_members" -> pushed(exchange, new Pushed(name, null, Set.of(), members.ids, members.skipped));
                default -> {
                    JsonNode pageInfo = parameters.path("page_info");
                    int total = pageInfo.path("total_pages").asInt(1);
                    int page = pageInfo.path("page_count").asInt(1);
                    Set<String> all = store.membersPage(cohort.id(), parameters.path("mixpanel_session_id").asText(""), page,
                            Math.max(1, total), members.ids);
                    if (all == null) {
                        exchange.setProperty(INCOMPLETE, true);
                    } else {
                        pushed(exchange, new Pushed(name, all, Set.of(), Set.of(), members.skipped));
                    }
                }
            }
            return cohort;
        }
        Cohort cohort = sync.cohort(Cohort.AMPLITUDE, push.path("cohort_id").asText());
        exchange.setProperty(CohortSync.TRIGGER, "amplitude-webhook");
        String messageId = push.path("message_id").asText();
        if (store.delivered(messageId)) {
            exchange.setProperty(INCOMPLETE, true);
            return cohort;
        }
        exchange.setProperty(MESSAGE_ID, messageId);
        Members members = members(push.path("users"), "user_id", "user_id");
        boolean in = push.path("in_cohort").asBoolean();
        pushed(exchange, new Pushed(push.path("cohort_name").asText(null), null, in ? members.ids : Set.of(),
                in ? Set.of() : members.ids, members.skipped));
        return cohort;
    }

    /** The push is applied (or needs nothing yet): remember its message id, commit its offset. */
    public void commit(Exchange exchange) {
        String messageId = exchange.getProperty(MESSAGE_ID, String.class);
        if (messageId != null) {
            store.markDelivered(messageId);
        }
        KafkaManualCommit commit = exchange.getProperty(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }

    private record Members(Set<String> ids, int skipped) {
    }

    /** The External IDs of pushed users: the configured property, else the fallback field. */
    private static Members members(JsonNode users, String property, String fallback) {
        Set<String> ids = new LinkedHashSet<>();
        int skipped = 0;
        for (JsonNode user : users) {
            String id = user.path(property).asText("");
            if (id.isEmpty() && property.startsWith("$")) {
                id = user.path(property.substring(1)).asText("");
            }
            if (id.isEmpty()) {
                id = user.path(fallback).asText("");
            }
            if (id.isBlank()) {
                skipped++;
            } else {
                ids.add(id.trim());
            }
        }
        return new Members(ids, skipped);
    }

    private static void pushed(Exchange exchange, Pushed pushed) {
        exchange.setProperty(Pushed.PROPERTY, pushed);
    }

    private static JsonNode body(Exchange exchange) {
        JsonNode body = Json.readObject(exchange.getMessage().getBody(String.class));
        if (body.isEmpty()) {
            throw new InvalidInputException("the body must be a JSON object");
        }
        return body;
    }

    private static void toRecord(Exchange exchange, String source, String cohortId, JsonNode push) {
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("source", source);
        record.set("push", push);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(KafkaConstants.KEY, source + ":" + cohortId);
        message.setBody(record.toString());
    }
}
