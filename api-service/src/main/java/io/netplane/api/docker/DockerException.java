package io.netplane.api.docker;

/** A Docker API answer other than success: Docker's status and message, sent as is. */
class DockerException extends RuntimeException {
    private final int status;

    DockerException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
