package io.netplane.api.rest;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The bodies of {@code POST /api/v1/networks/{ref}/connect} and {@code /disconnect}. */
final class EndpointBodies {
    private EndpointBodies() {
    }

    /** {@code {"sandbox", "ipv4Address", "aliases"}}: sandbox by id, name or id prefix. */
    @Schema(name = "Connect")
    record Connect(
            @Schema(required = true, description = "sandbox name, id or id prefix", examples = "c1") String sandbox,
            @Schema(examples = "10.130.0.50") String ipv4Address,
            List<@NotBlank(message = "an alias must not be empty") @Size(max = 255, message = "an alias has at most 255 characters")
                    String> aliases) {
    }

    /** {@code {"sandbox", "force"}}. */
    @Schema(name = "Disconnect")
    record Disconnect(
            @Schema(required = true, description = "sandbox name, id or id prefix", examples = "c1") String sandbox,
            Boolean force) {
    }
}
