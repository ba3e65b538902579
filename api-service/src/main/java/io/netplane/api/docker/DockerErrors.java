package io.netplane.api.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * Errors as Docker sends them: {@code {"message":"…"}\n}, application/json, with Docker's status. The
 * native API answers 400 for every user error; Docker answers 500 for some of them and clients match on
 * that, so those go back to 500 here.
 */
final class DockerErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Messages Docker 20.10 answers with 500 (docker-facts §10). */
    private static final List<String> DOCKER_500 = List.of("Invalid subnet ", "failed to allocate gateway (",
            "invalid gateway address ", "Invalid address ", "Invalid IPv4 address: ", "invalid name: ");

    private DockerErrors() {
    }

    static String body(String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("message", message == null ? "" : message);
        return node.toString() + "\n";
    }

    static Response error(int status, String message) {
        return Response.status(status).type("application/json").entity(body(message)).build();
    }

    /** A native answer in Docker's terms. */
    static Response docker(int status, String message) {
        if (status == 400 && message != null) {
            if (message.startsWith("Invalid IPv4 address: ") && !message.endsWith(")")) {
                return error(500, message + ")"); // sic, Docker's stray parenthesis
            }
            if (DOCKER_500.stream().anyMatch(message::startsWith)
                    || (message.startsWith("container ") && message.contains(" is not connected to network "))) {
                return error(500, message);
            }
        }
        return error(status, message);
    }
}
