package io.netplane.api.rest;

import java.util.List;
import java.util.function.Predicate;

/**
 * The stable, machine-readable {@code code} of a native API error. Most errors carry Docker's (or ipam's)
 * message and a status; the code is derived from them here, in one place, so every path that answers an
 * error (validation, lookups, ipam's rejections, the nodes' failures) gets the same code for the same case.
 */
public final class ErrorCode {
    public static final String INVALID_REQUEST = "invalid_request";
    public static final String INVALID_JSON = "invalid_json";
    public static final String INVALID_SUBNET = "invalid_subnet";
    public static final String INVALID_ADDRESS = "invalid_address";
    public static final String NETWORK_NOT_FOUND = "network_not_found";
    public static final String SANDBOX_NOT_FOUND = "sandbox_not_found";
    public static final String NODE_NOT_FOUND = "node_not_found";
    public static final String OPERATION_NOT_FOUND = "operation_not_found";
    public static final String DRIVER_NOT_FOUND = "driver_not_found";
    public static final String NOT_FOUND = "not_found";
    public static final String AMBIGUOUS_REFERENCE = "ambiguous_reference";
    public static final String NAME_CONFLICT = "name_conflict";
    public static final String SUBNET_OVERLAP = "subnet_overlap";
    public static final String ADDRESS_IN_USE = "address_in_use";
    public static final String PORT_IN_USE = "port_in_use";
    public static final String POOL_EXHAUSTED = "pool_exhausted";
    public static final String ACTIVE_ENDPOINTS = "active_endpoints";
    public static final String PREDEFINED_NETWORK = "predefined_network";
    public static final String NOT_CONNECTED = "not_connected";
    public static final String ALREADY_CONNECTED = "already_connected";
    public static final String NAMESPACE_SHARED = "namespace_shared";
    public static final String CONFLICT = "conflict";
    public static final String FORBIDDEN = "forbidden";
    public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
    public static final String NOT_ACCEPTABLE = "not_acceptable";
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
    public static final String NODE_FAILURE = "node_failure";
    public static final String INTERNAL_ERROR = "internal_error";
    public static final String UNAVAILABLE = "unavailable";
    public static final String TIMEOUT = "timeout";

    private record Rule(String code, Predicate<String> matches) {
    }

    private static Rule startsWith(String code, String... prefixes) {
        return new Rule(code, m -> List.of(prefixes).stream().anyMatch(m::startsWith));
    }

    private static Rule contains(String code, String... parts) {
        return new Rule(code, m -> List.of(parts).stream().anyMatch(m::contains));
    }

    // first match wins; the messages are Docker's, ipam's and api-service's own
    private static final List<Rule> RULES = List.of(
            contains(ACTIVE_ENDPOINTS, "has active endpoints"),
            contains(PREDEFINED_NETWORK, "is a pre-defined network", "on predefined ", "only one instance of \""),
            contains(SUBNET_OVERLAP, "Pool overlaps with other one"),
            startsWith(ADDRESS_IN_USE, "Address already in use"),
            startsWith(PORT_IN_USE, "Bind for "),
            contains(POOL_EXHAUSTED, "no available IPv4 addresses", "could not find an available, non-overlapping"),
            startsWith(ALREADY_CONNECTED, "endpoint with name "),
            contains(NAME_CONFLICT, "already exists", "is already in use by container", "is already used by another network"),
            contains(AMBIGUOUS_REFERENCE, " is ambiguous", "multiple IDs found with provided prefix"),
            contains(NOT_CONNECTED, " is not connected to network "),
            contains(NAMESPACE_SHARED, "its network namespace is shared by"),
            startsWith(SANDBOX_NOT_FOUND, "No such container: "),
            startsWith(DRIVER_NOT_FOUND, "plugin \""),
            startsWith(NODE_NOT_FOUND, "node "),
            startsWith(OPERATION_NOT_FOUND, "operation "),
            startsWith(NETWORK_NOT_FOUND, "network "),
            contains(INVALID_SUBNET, "nvalid subnet ", "nvalid ip-range ", "ip-range ", "failed to allocate gateway",
                    "invalid gateway address", "subnets are not supported", "more than one IPv4 subnet"),
            contains(INVALID_ADDRESS, "Invalid IPv4 address", "Invalid address ", "invalid IP address",
                    "user specified IP address"),
            startsWith(INVALID_JSON, "invalid JSON body", "a JSON body is required"));

    private ErrorCode() {
    }

    /** The code of an error with this status and message. */
    public static String of(int status, String message) {
        String m = message == null ? "" : message;
        for (Rule rule : RULES) {
            if (rule.matches().test(m)) {
                if (!rule.code().endsWith("_not_found") || status == 404) { // "network X (driver D): …" is no 404
                    return rule.code();
                }
            }
        }
        return switch (status) {
            case 400, 422 -> INVALID_REQUEST;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 503 -> UNAVAILABLE;
            case 504 -> TIMEOUT;
            default -> status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
        };
    }
}
