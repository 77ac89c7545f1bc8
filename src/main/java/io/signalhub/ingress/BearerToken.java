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
        if (expected == null) {
            throw unauthorized("this endpoint is closed until " + setting + " is configured");
        }
        String header = message.getHeader("Authorization", String.class);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("send the token as 'Authorization: Bearer <token>'");
        }
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, presented)) {
            throw unauthorized("the bearer token is not valid");
        }
        message.removeHeader("Authorization");
    }

    private static InvalidInputException unauthorized(String problem) {
        return new InvalidInputException(401, "unauthorized", List.of(problem));
    }
}
