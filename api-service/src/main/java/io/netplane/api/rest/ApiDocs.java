package io.netplane.api.rest;

/**
 * Texts the resources share in the OpenAPI document ({@code /q/openapi}, Swagger UI at {@code /q/swagger-ui};
 * its title and description are in application.properties).
 */
public final class ApiDocs {
    static final String WAIT = "false: answer 202 with the operation id at once (Location: /api/v1/operations/{id}); "
            + "true (default): answer when the change is ready on the node, or with the error that stopped it";
    static final String TIMEOUT = "how long a synchronous call waits (5s, 500ms, 2m; a bare number is seconds; "
            + "default netplane.api.call-timeout); past it: 504 with the operation id, and the operation goes on";
    public static final String ERROR = "{code, message, details}: 4xx for what the caller must fix (code says which case), "
            + "504 timeout (details.operation), 5xx otherwise";

    private ApiDocs() {
    }
}
