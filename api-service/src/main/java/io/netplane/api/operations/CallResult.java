package io.netplane.api.operations;

import io.netplane.api.readmodel.NetworkView;

/**
 * Where a mutating call stands when it answers: done (201/204 with the network), refused (4xx/5xx with a
 * message), accepted (202, async) or still running (504). {@code operation} is always set.
 */
public record CallResult(int status, String operation, String message, NetworkView network) {
    public static final int ACCEPTED = 202;
    public static final int STILL_RUNNING = 504;

    public boolean failed() {
        return message != null;
    }
}
