package io.signalhub.delivery;

import java.util.List;

/**
 * What a vendor's answer to one request means.
 *
 * @param delivered        events the vendor accepted
 * @param rejected         events refused for good: they go to the dead-letter topic
 * @param retry            what must be sent again, or null when nothing is left
 * @param retryAfterMillis the least wait before sending {@code retry} (Retry-After, throttling windows)
 * @param throttled        whether the vendor answered 429
 * @param error            a short description for the last-error counter, or null on success
 */
public record Outcome(int delivered, List<Rejection> rejected, OutboundRequest retry, long retryAfterMillis,
                      boolean throttled, String error) {

    public static Outcome delivered(OutboundRequest request) {
        return new Outcome(request.events().size(), List.of(), null, 0, false, null);
    }

    /** The whole request failed for a reason that may pass: send it all again. */
    public static Outcome transientFailure(OutboundRequest request, long retryAfterMillis, boolean throttled, String error) {
        return new Outcome(0, List.of(), request, retryAfterMillis, throttled, error);
    }
}
