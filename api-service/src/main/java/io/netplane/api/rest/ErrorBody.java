package io.netplane.api.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Every error of the native API: {@code {"message": "...", "operation": "..."}} (operation when there is one). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String message, String operation) {
}
