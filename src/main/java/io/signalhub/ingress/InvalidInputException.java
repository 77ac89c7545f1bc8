package io.signalhub.ingress;

import java.util.List;

/** Input the hub refuses, with every problem found, so the sender can fix all of them at once. */
public class InvalidInputException extends RuntimeException {

    private final int status;
    private final String error;
    private final List<String> problems;

    public InvalidInputException(int status, String error, List<String> problems) {
        super(error + ": " + String.join("; ", problems));
        this.status = status;
        this.error = error;
        this.problems = List.copyOf(problems);
    }

    public InvalidInputException(String problem) {
        this(400, "invalid_request", List.of(problem));
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public List<String> problems() {
        return problems;
    }
}
