package io.signalhub.ingress;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.monitoring.HubMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failed HTTP exchange into the hub's error answer: a status and a JSON body
 * {@code {"error": "...", "problems": ["..."]}} naming what is wrong, never echoing a credential.
 */
public final class HttpErrors {

    /** Exchange property: the ingress whose refusals are counted. */
    public static final String INGRESS = "signalhubIngress";
    /** The ingress of Mixpanel's cohort webhook, whose failures Mixpanel expects in its own shape. */
    public static final String MIXPANEL_COHORTS = "mixpanel-cohorts";
    /** Exchange property: the action of a Mixpanel cohort webhook call, echoed in its answer. */
    public static final String MIXPANEL_ACTION = "signalhubMixpanelAction";
    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private final HubMetrics metrics;

    public HttpErrors(HubMetrics metrics) {
        this.metrics = metrics;
    }

    public void answer(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        InvalidInputException invalid = findInvalidInput(cause);
        if (invalid != null) {
            respond(exchange, invalid.status(), invalid.error(), invalid.problems(),
                    switch (invalid.status()) {
                        case 401 -> "unauthorized";
                        case 403 -> invalid.error();
                        case 413 -> "too_large";
                        default -> "invalid";
                    });
        } else if (isKafkaTrouble(cause)) {
            LOG.warn("Kafka did not take the events: {}", cause.toString());
            respond(exchange, 503, "unavailable",
                    List.of("the event log (Kafka) did not take the events; nothing was accepted, send them again"),
                    "unavailable");
            exchange.getMessage().setHeader("Retry-After", "5");
        } else {
            LOG.error("Unexpected failure while taking a request", cause);
            respond(exchange, 500, "internal_error", List.of("the hub failed unexpectedly; nothing was accepted"), "internal_error");
        }
    }

    private void respond(Exchange exchange, int status, String error, List<String> problems, String reason) {
        String ingress = exchange.getProperty(INGRESS, String.class);
        if (ingress != null) {
            metrics.ingress(ingress).rejected(reason);
        }
        String body = body(ingress, exchange.getProperty(MIXPANEL_ACTION, "unknown", String.class), status, error, problems);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (status == 401) {
            message.setHeader("WWW-Authenticate", "Bearer");
        }
        message.setBody(body);
    }

    /** The JSON of a refusal: {@code error} and {@code problems}, or the shape Mixpanel's cohort sync shows in its UI. */
    static String body(String ingress, String mixpanelAction, int status, String error, List<String> problems) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (MIXPANEL_COHORTS.equals(ingress)) {
            body.put("action", mixpanelAction);
            body.put("status", "failure");
            body.putObject("error").put("message", error + ": " + String.join("; ", problems)).put("code", status);
        } else {
            body.put("error", error);
            problems.forEach(body.putArray("problems")::add);
        }
        return body.toString();
    }

    private static InvalidInputException findInvalidInput(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof InvalidInputException invalid) {
                return invalid;
            }
        }
        return null;
    }

    private static boolean isKafkaTrouble(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.KafkaException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
