package io.signalhub.delivery;

import org.apache.camel.Exchange;

/** A destination bean of the delivery templates (destinations.camel.yaml). */
public interface RequestDelivery {

    /**
     * The request being sent failed in a way no retry mends (a bug, not the vendor): its records are
     * dead-lettered with the failure, so the batch goes on instead of failing the same way each time.
     */
    void deadLetterRequest(Exchange exchange);
}
