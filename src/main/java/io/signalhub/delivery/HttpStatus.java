package io.signalhub.delivery;

import io.signalhub.Json;

/** Reading HTTP answers the way the vendors' own clients do. */
public final class HttpStatus {

    private HttpStatus() {
    }

    public static boolean isSuccess(int status) {
        return status >= 200 && status < 300;
    }

    /** Connection-level and server trouble that may pass; the vendors' clients all retry these. */
    public static boolean isTransient(int status) {
        return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505 && status != 511);
    }

    /** Retry-After in seconds (the only form the vendors send), as milliseconds; 0 when absent or unreadable. */
    public static long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Math.round(Double.parseDouble(header.trim()) * 1000));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static String describe(String vendor, int status, String body) {
        return vendor + " answered HTTP " + status + (body == null || body.isBlank() ? "" : ": " + Json.abbreviate(body, 300));
    }

    /**
     * An error of {@link #describe} without the vendor's answer (which can name users): for places anyone
     * who reaches the management port may read, such as the readiness check.
     */
    public static String withoutAnswer(String error) {
        return error == null ? null : error.replaceFirst("^(.*? answered HTTP \\d+): .*$", "$1");
    }
}
