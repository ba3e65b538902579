package io.netplane.api.operations;

import java.util.Map;

/**
 * A call that cannot be done as asked: the HTTP status, the message the caller reads and, when the thrower
 * knows better than the message classifier of the native API, a stable {@code code} and {@code details}.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String operation;
    private final String code;
    private final Map<String, Object> details;

    public ApiException(int status, String message) {
        this(status, message, null);
    }

    public ApiException(int status, String message, String operation) {
        this(status, null, message, operation, Map.of());
    }

    public ApiException(int status, String code, String message, String operation, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.operation = operation;
        this.code = code;
        this.details = details == null ? Map.of() : details;
    }

    /** A request field that is wrong: 400 {@code invalid_request} with the field in the details. */
    public static ApiException invalidField(String field, String message) {
        return new ApiException(400, "invalid_request", message, null, Map.of("field", field));
    }

    public int status() { return status; }

    /** The operation id, when the request got as far as one. */
    public String operation() { return operation; }

    /** The stable error code, or null to let the native API classify the message. */
    public String code() { return code; }

    public Map<String, Object> details() { return details; }
}
