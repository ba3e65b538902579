package io.netplane.agent.dataplane;

/** The node cannot build (or remove) what is desired; the message says what and why, for a status event. */
public class DataplaneException extends RuntimeException {
    public DataplaneException(String message) {
        super(message);
    }

    public DataplaneException(String message, Throwable cause) {
        super(message, cause);
    }
}
