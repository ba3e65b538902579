package io.netplane.api.readmodel;

/** A sandbox reference (id, name or id prefix) that names no sandbox, or more than one. */
public class SandboxLookupException extends RuntimeException {
    private final boolean notFound;

    private SandboxLookupException(String message, boolean notFound) {
        super(message);
        this.notFound = notFound;
    }

    /** Docker's wording for an unknown container. */
    public static SandboxLookupException notFound(String ref) {
        return new SandboxLookupException("No such container: " + ref, true);
    }

    public static SandboxLookupException ambiguous(String ref) {
        return new SandboxLookupException("multiple IDs found with provided prefix: " + ref, false);
    }

    public boolean notFound() {
        return notFound;
    }
}
