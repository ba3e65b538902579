package io.netplane.api.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * 401 and 403 answers, written at the HTTP layer (before any resource runs): the native API's shape
 * {@code {"code","message","details"}} under /api and /q, Docker's {@code {"message"}} elsewhere, so the
 * docker CLI prints the message as "Error response from daemon: …".
 */
final class AuthErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuthErrors() {
    }

    static boolean nativeApi(String path) {
        return path != null && (path.startsWith("/api/") || path.equals("/api") || path.startsWith("/q/"));
    }

    static void send(RoutingContext rc, int status, String code, String message, Map<String, ?> details) {
        ObjectNode body = JSON.createObjectNode();
        if (nativeApi(rc.normalizedPath())) {
            body.put("code", code);
            body.put("message", message);
            body.set("details", JSON.valueToTree(details));
        } else {
            body.put("message", message);
        }
        rc.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body + "\n");
    }
}
