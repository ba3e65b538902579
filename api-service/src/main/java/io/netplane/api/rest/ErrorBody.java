package io.netplane.api.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Map;

/**
 * Every error of the native API: {@code {"code", "message", "details"}}. {@code code} is stable and
 * machine-readable ({@link ErrorCode}); {@code message} says what is wrong and how to fix it (Docker's
 * wording where Docker has one); {@code details} is an object, empty when there is nothing to add.
 */
@Schema(name = "Error", description = "Every error of /api/v1")
public record ErrorBody(
        @Schema(description = "stable machine-readable code", required = true,
                examples = {"network_not_found", "name_conflict", "subnet_overlap", "invalid_request", "timeout"})
        String code,
        @Schema(description = "what is wrong and how to fix it", required = true,
                examples = "network with name web already exists")
        String message,
        @Schema(description = "more about the error: operation (the operation id, once the request got one), "
                + "field and value (the request field that is wrong), ref (the reference looked up), violations",
                required = true, examples = "{\"operation\": \"6f1c0b1e-2d7a-4a8e-9f0e-3c1d2b4a5e6f\"}")
        Map<String, Object> details) {
}
