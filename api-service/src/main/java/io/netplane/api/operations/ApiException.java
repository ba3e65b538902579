package io.netplane.api.operations;

/** A call that cannot be done as asked: the HTTP status and the message the caller reads. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String operation;

    public ApiException(int status, String message) {
        this(status, message, null);
    }

    public ApiException(int status, String message, String operation) {
        super(message);
        this.status = status;
        this.operation = operation;
    }

    public int status() { return status; }

    /** The operation id, when the request got as far as one. */
    public String operation() { return operation; }
}
