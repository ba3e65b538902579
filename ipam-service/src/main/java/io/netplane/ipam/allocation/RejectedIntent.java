package io.netplane.ipam.allocation;

/**
 * An intent refused for a reason the caller can act on: the HTTP status and message (Docker's wording where
 * Docker has one) go out as the data of a {@code *.rejected} event.
 */
public class RejectedIntent extends RuntimeException {
    private final int status;

    public RejectedIntent(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
