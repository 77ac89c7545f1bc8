package io.signalhub.delivery;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import org.apache.camel.Exchange;

/**
 * The pieces a request was cut into when the vendor found it too large (413): they go one after the
 * other in its place, within the same exchange, so the batch is committed only once every piece went.
 */
public final class RequestPieces {

    private static final String PENDING = "signalhubRequestPieces";

    /** These pieces go next, in this order, before anything queued earlier. */
    static void sendNext(Exchange exchange, List<OutboundRequest> pieces) {
        @SuppressWarnings("unchecked")
        Deque<OutboundRequest> pending = exchange.getProperty(PENDING, Deque.class);
        if (pending == null) {
            pending = new ArrayDeque<>();
            exchange.setProperty(PENDING, pending);
        }
        for (int i = pieces.size() - 1; i >= 0; i--) {
            pending.addFirst(pieces.get(i));
        }
    }

    /** The piece to send next, or null when the request went whole. */
    public OutboundRequest next(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Deque<OutboundRequest> pending = exchange.getProperty(PENDING, Deque.class);
        return pending == null ? null : pending.poll();
    }
}
