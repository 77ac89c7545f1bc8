package io.signalhub.ingress;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Checks {@code Authorization: Bearer <token>} in constant time. With no token configured every
 * request is refused: the hub has no unauthenticated ingress.
 */
public final class BearerToken {

    private final String setting;
    private final byte[] expected;

    /** @param setting the name of the setting that holds the token, for the error message */
    public BearerToken(String setting, String token) {
        this.setting = setting;
        this.expected = token == null || token.isBlank() ? null : token.trim().getBytes(StandardCharsets.UTF_8);
    }

    public void check(Exchange exchange) {
        Message message = exchange.getMessage();
        String problem = problemWith(message.getHeader("Authorization", String.class));
        if (problem != null) {
            throw unauthorized(problem);
        }
        message.removeHeader("Authorization");
    }

    /** Why an {@code Authorization} header does not open this door, or null when it does. */
    public String problemWith(String header) {
        if (expected == null) {
            return "this endpoint is closed until " + setting + " is configured";
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "send the token as 'Authorization: Bearer <token>'";
        }
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, presented) ? null : "the bearer token is not valid";
    }

    /** The setting that holds the token, as error messages name it. */
    public String setting() {
        return setting;
    }

    /**
     * Like {@link #check}, also taking the token as the password of HTTP Basic credentials, for
     * senders whose settings offer only Basic auth (Mixpanel's webhooks).
     */
    public void checkBearerOrBasic(Exchange exchange) {
        Message message = exchange.getMessage();
        String problem = problemWithBearerOrBasic(message.getHeader("Authorization", String.class));
        if (problem != null) {
            throw unauthorized(problem);
        }
        message.removeHeader("Authorization");
    }

    /** Why an {@code Authorization} header opens this door neither as a bearer token nor as Basic credentials. */
    public String problemWithBearerOrBasic(String header) {
        if (expected == null || header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return problemWith(header);
        }
        BasicCredentials credentials = BasicCredentials.of(header);
        String password = credentials == null || credentials.password() == null ? "" : credentials.password();
        return MessageDigest.isEqual(expected, password.getBytes(StandardCharsets.UTF_8)) ? null
                : "the password of the Basic credentials is not the token";
    }

    private static InvalidInputException unauthorized(String problem) {
        return new InvalidInputException(401, "unauthorized", List.of(problem));
    }
}
