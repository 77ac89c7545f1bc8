package io.signalhub.vendors.segment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.signalhub.Json;

/**
 * Segment's webhook signature (https://segment.com/docs/connections/destinations/catalog/actions-webhook/): {@code X-Signature} is the hex
 * HMAC-SHA1 of the body with the shared secret, or, for an Actions batch (a JSON array), of the
 * first element's own text. Computed over the raw bytes received: re-serialising would not be
 * byte-identical to JavaScript's {@code JSON.stringify}.
 */
public final class WebhookSignature {

    private final byte[] secret;

    public WebhookSignature(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the signature matches the body; compared in constant time. */
    public boolean verify(byte[] body, String signatureHex) {
        if (signatureHex == null || signatureHex.isBlank()) {
            return false;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(signatureHex.trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(sign(signedPart(body)), presented);
    }

    public byte[] sign(byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }

    /** The bytes Segment signed: the whole body, or the first element's span when the body is an array. */
    static byte[] signedPart(byte[] body) {
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return body;
            }
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.END_ARRAY) {
                return body;
            }
            long start = parser.currentTokenLocation().getByteOffset();
            parser.skipChildren();
            long end = parser.currentLocation().getByteOffset();
            return Arrays.copyOfRange(body, (int) start, (int) end);
        } catch (IOException e) {
            return body;
        }
    }
}
