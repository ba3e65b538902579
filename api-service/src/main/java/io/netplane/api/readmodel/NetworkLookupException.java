package io.netplane.api.readmodel;

/**
 * A network reference (id, name or id prefix) that names no network or more than one. Each API words it
 * its own way (the native API and Docker's differ for DELETE).
 */
public class NetworkLookupException extends RuntimeException {
    public enum Basis { NAME, ID_PREFIX }

    private final String ref;
    private final int matches;
    private final Basis basis;

    private NetworkLookupException(String ref, int matches, Basis basis) {
        super(matches == 0 ? "network " + ref + " not found"
                : matches + " matches found based on " + (basis == Basis.NAME ? "name" : "ID prefix")
                        + ": network " + ref + " is ambiguous");
        this.ref = ref;
        this.matches = matches;
        this.basis = basis;
    }

    public static NetworkLookupException notFound(String ref) {
        return new NetworkLookupException(ref, 0, null);
    }

    public static NetworkLookupException ambiguous(String ref, int matches, Basis basis) {
        return new NetworkLookupException(ref, matches, basis);
    }

    public boolean notFound() {
        return matches == 0;
    }

    public String ref() { return ref; }

    public int matches() { return matches; }

    public Basis basis() { return basis; }

    /** Docker's wording for DELETE and connect: {@code network 1 is ambiguous (2 matches found based on ID prefix)}. */
    public String removeMessage() {
        if (notFound()) {
            return getMessage();
        }
        return "network " + ref + " is ambiguous (" + matches + " matches found based on "
                + (basis == Basis.NAME ? "name" : "ID prefix") + ")";
    }
}
