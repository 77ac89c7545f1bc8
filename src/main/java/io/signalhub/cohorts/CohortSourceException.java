package io.signalhub.cohorts;

/** A cohort source refused or failed a call; the run stops and its report says why. */
public class CohortSourceException extends RuntimeException {

    public CohortSourceException(String message) {
        super(message);
    }
}
