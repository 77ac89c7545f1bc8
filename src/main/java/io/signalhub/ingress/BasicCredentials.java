package io.signalhub.ingress;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * HTTP Basic credentials: the user, and the password (null when the decoded value has no colon).
 */
public record BasicCredentials(String user, String password) {

    /** The credentials of an {@code Authorization: Basic …} header; null when absent, another scheme, or not Base64. */
    public static BasicCredentials of(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? new BasicCredentials(decoded, null)
                    : new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
