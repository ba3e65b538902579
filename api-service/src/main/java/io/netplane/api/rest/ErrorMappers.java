package io.netplane.api.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netplane.api.operations.ApiException;
import io.netplane.api.readmodel.NetworkLookupException;
import io.netplane.api.readmodel.SandboxLookupException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns every failure into {@code {"code", "message", "details"}} with its status; never an HTML or empty
 * error page. Outside {@code /api/} (Docker's paths that no resource matched) the body stays Docker's
 * {@code {"message"}}.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The error of a call whose operation exists (or null): the code from the status and message. */
    static Response error(int status, String message, String operation) {
        return error(status, ErrorCode.of(status, message), message, operation == null ? Map.of() : Map.of("operation", operation));
    }

    static Response error(int status, String code, String message, Map<String, Object> details) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(code, message == null ? "" : message, details == null ? Map.of() : details))
                .build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Map<String, Object> details = new LinkedHashMap<>(e.details());
        if (e.operation() != null) {
            details.put("operation", e.operation());
        }
        String code = e.code() != null ? e.code() : ErrorCode.of(e.status(), e.getMessage());
        return error(e.status(), code, e.getMessage(), details);
    }

    @ServerExceptionMapper
    public Response lookup(NetworkLookupException e) {
        int status = e.notFound() ? 404 : 400;
        return error(status, ErrorCode.of(status, e.getMessage()), e.getMessage(), Map.of("ref", e.ref()));
    }

    @ServerExceptionMapper
    public Response sandboxLookup(SandboxLookupException e) {
        int status = e.notFound() ? 404 : 400;
        return error(status, ErrorCode.of(status, e.getMessage()), e.getMessage(), Map.of());
    }

    /** Bean Validation of bodies, path and query parameters: 400, the first violation in the message, all in details. */
    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        List<ConstraintViolation<?>> violations = new ArrayList<>(e.getConstraintViolations());
        violations.sort(Comparator.comparing(v -> field(v.getPropertyPath())));
        if (violations.isEmpty()) {
            return error(400, ErrorCode.INVALID_REQUEST, e.getMessage(), Map.of());
        }
        List<Map<String, Object>> all = new ArrayList<>();
        for (ConstraintViolation<?> v : violations) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("field", field(v.getPropertyPath()));
            one.put("message", message(v));
            all.add(one);
        }
        ConstraintViolation<?> first = violations.get(0);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", field(first.getPropertyPath()));
        if (first.getInvalidValue() != null && !(first.getInvalidValue() instanceof Iterable<?>)
                && !(first.getInvalidValue() instanceof Map<?, ?>)) {
            details.put("value", String.valueOf(first.getInvalidValue()));
        }
        details.put("violations", all);
        return error(400, ErrorCode.INVALID_REQUEST, message(first), details);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "page not found: " + request.path() + " (GET /q/openapi lists the paths of /api/v1)";
            case 405 -> "method " + request.method() + " is not allowed on " + request.path();
            case 406 -> "not acceptable: /api/v1 answers application/json";
            case 415 -> "unsupported media type: send the body as application/json";
            default -> e.getMessage();
        };
        if (!request.path().startsWith("/api/")) { // a Docker path: Docker's shape
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(JSON.createObjectNode().put("message", status == 404 ? "page not found" : message).toString() + "\n")
                    .build();
        }
        return error(status, ErrorCode.of(status, ""), message, Map.of());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return error(500, ErrorCode.INTERNAL_ERROR, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
                Map.of());
    }

    /** The violation's message with the offending value in place of {@code <value>}. */
    private static String message(ConstraintViolation<?> v) {
        return v.getMessage().replace("<value>", String.valueOf(v.getInvalidValue()));
    }

    /**
     * The field as the caller wrote it: {@code ipam.config[0].subnet}, {@code ports[0]}, {@code labels[k]};
     * for a query or path parameter, its name. A node's index or key says where it sits in the previous one.
     */
    static String field(Path path) {
        List<String> names = new ArrayList<>();
        for (Path.Node node : path) {
            switch (node.getKind()) {
                case METHOD, CONSTRUCTOR, RETURN_VALUE, CROSS_PARAMETER -> { }
                case PARAMETER -> { // named as the query or path parameter it reads
                    names.clear();
                    names.add(node.getName());
                }
                default -> {
                    if (!names.isEmpty() && (node.getIndex() != null || node.getKey() != null)) {
                        int last = names.size() - 1;
                        names.set(last, names.get(last) + "[" + (node.getIndex() != null ? node.getIndex() : node.getKey()) + "]");
                    }
                    if (node.getKind() != jakarta.validation.ElementKind.CONTAINER_ELEMENT && node.getName() != null) {
                        names.add(node.getName());
                    }
                }
            }
        }
        return names.isEmpty() ? path.toString() : String.join(".", names);
    }
}
