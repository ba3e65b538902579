package io.netplane.api.operations;

import io.netplane.api.readmodel.NetworkView;
import io.netplane.api.readmodel.SandboxView;

/**
 * Where a mutating call stands when it answers: done (200/201/204 with the network or sandbox, if any),
 * refused (4xx/5xx with a message), accepted (202, async) or still running (504). {@code operation} is
 * always set.
 */
public record CallResult(int status, String operation, String message, Object body) {
    public static final int ACCEPTED = 202;
    public static final int STILL_RUNNING = 504;

    public NetworkView network() {
        return (NetworkView) body;
    }

    public SandboxView sandbox() {
        return (SandboxView) body;
    }

    public boolean failed() {
        return message != null;
    }
}
