package io.signalhub.cohorts;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.signalhub.Json;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Preparing a call to a cohort source's API and reading its status: the routes make the call. */
final class SourceCalls {

    private SourceCalls() {
    }

    static void prepare(Exchange exchange, String method, String path, String query, String user, String password,
                        String contentType, String body) {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_METHOD, method);
        message.setHeader(Exchange.HTTP_PATH, path);
        if (query != null) {
            message.setHeader(Exchange.HTTP_QUERY, query);
        }
        message.setHeader("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        if (contentType != null) {
            message.setHeader(Exchange.CONTENT_TYPE, contentType);
        }
        message.setBody(body);
    }

    static int status(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
    }

    /** The answer's body; the headers are cleared so they never travel further. */
    static String answer(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        exchange.getMessage().removeHeaders("*");
        return body;
    }

    static CohortSourceException failure(String vendor, String what, int status, String body) {
        return new CohortSourceException(vendor + " answered HTTP " + status + " to " + what
                + (body == null || body.isBlank() ? "" : ": " + Json.abbreviate(body, 300)));
    }
}
