package io.signalhub.delivery;

/** A delivery that failed for a reason that may pass; Camel's redelivery policy sends it again. */
public class RetryableDeliveryException extends RuntimeException {

    public RetryableDeliveryException(String message) {
        super(message, null, false, false);
    }
}
