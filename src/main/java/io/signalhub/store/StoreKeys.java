package io.signalhub.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Values the store keeps in bounded columns, made to fit in one place: a key longer than its column is
 * cut and completed with a hash of the whole value, so the same value always maps to the same key and
 * two long values that share a beginning stay apart; a value that is only shown is cut.
 */
public final class StoreKeys {

    /** The column sizes of HubStore's schema. */
    public static final int COHORT_ID = 64;
    public static final int SEGMENT_NAME = 128;
    public static final int SESSION_ID = 128;
    public static final int COHORT_NAME = 256;
    public static final int MESSAGE_ID = 256;

    private static final int HASH_CHARS = 16;

    private StoreKeys() {
    }

    /** The value as a key of at most {@code max} characters: itself when it fits, else a cut plus a hash. */
    public static String fit(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return value.substring(0, max - HASH_CHARS - 1) + "~" + HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A value that is only displayed, cut to {@code max} characters. */
    public static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
