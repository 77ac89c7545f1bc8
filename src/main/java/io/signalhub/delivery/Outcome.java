package io.signalhub.delivery;

import java.util.List;
import java.util.stream.IntStream;

/**
 * What a vendor's answer to one request means.
 *
 * @param delivered        events the vendor accepted
 * @param rejected         events refused for good: they go to the dead-letter topic
 * @param retry            what must be sent again, or null when nothing is left
 * @param retryAfterMillis the least wait before sending {@code retry} (Retry-After, throttling windows)
 * @param throttled        whether the vendor answered 429
 * @param error            a short description for the last-error counter, or null on success
 * @param pieces           what goes instead of the request, one after the other (it was too large), or empty
 */
public record Outcome(int delivered, List<Rejection> rejected, OutboundRequest retry, long retryAfterMillis,
                      boolean throttled, String error, List<OutboundRequest> pieces) {

    public Outcome(int delivered, List<Rejection> rejected, OutboundRequest retry, long retryAfterMillis,
                   boolean throttled, String error) {
        this(delivered, rejected, retry, retryAfterMillis, throttled, error, List.of());
    }

    public static Outcome delivered(OutboundRequest request) {
        return new Outcome(request.events().size(), List.of(), null, 0, false, null);
    }

    /** The whole request failed for a reason that may pass: send it all again. */
    public static Outcome transientFailure(OutboundRequest request, long retryAfterMillis, boolean throttled, String error) {
        return new Outcome(0, List.of(), request, retryAfterMillis, throttled, error);
    }

    /**
     * The vendor refused the request as too large (413; its limits can be lower than documented): its two
     * halves go instead, each halved again if need be; a single event too large is refused for good.
     */
    public static Outcome tooLarge(Vendor vendor, OutboundRequest request, String responseBody, String error) {
        int events = request.events().size();
        if (events < 2) {
            return new Outcome(0, DeadLetters.rejections(request.events(), "the event is too large for " + vendor.name(), 413,
                    responseBody), null, 0, false, error);
        }
        int half = events / 2;
        return new Outcome(0, List.of(), null, 0, false, error, List.of(
                vendor.subset(request, IntStream.range(0, half).boxed().toList()),
                vendor.subset(request, IntStream.range(half, events).boxed().toList())));
    }
}
