package io.netplane.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netplane.api.operations.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a JSON body and checks it with Bean Validation. The body is read here, not by JAX-RS, so a missing,
 * malformed or ill-typed one gets our 400 and message whatever its Content-Type.
 */
@ApplicationScoped
public class RequestBodies {
    private static final ObjectMapper BODY = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // a misplaced field would be dropped silently
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    @Inject
    Validator validator;

    public <T> T read(String body, Class<T> type, String example) {
        T request = parse(body, type, example);
        Set<ConstraintViolation<T>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        return request;
    }

    static <T> T parse(String body, Class<T> type, String example) {
        if (body == null || body.isBlank()) {
            throw new ApiException(400, ErrorCode.INVALID_JSON, "a JSON body is required, e.g. " + example, null, Map.of());
        }
        try {
            T request = BODY.readValue(body, type);
            if (request == null) {
                throw new ApiException(400, ErrorCode.INVALID_JSON, "a JSON body is required, e.g. " + example, null, Map.of());
            }
            return request;
        } catch (UnrecognizedPropertyException e) {
            String field = field(e);
            List<String> known = e.getKnownPropertyIds() == null ? List.of()
                    : e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            throw new ApiException(400, ErrorCode.INVALID_JSON, "invalid JSON body: unknown field \"" + field
                    + "\"; the fields here are " + String.join(", ", known), null, Map.of("field", field, "known", known));
        } catch (MismatchedInputException e) { // valid JSON, wrong shape: a string for a boolean, an array for an object
            String field = field(e);
            Map<String, Object> details = new LinkedHashMap<>();
            if (!field.isEmpty()) {
                details.put("field", field);
            }
            String expected = e.getTargetType() == null ? "another type" : typeName(e.getTargetType());
            String message = field.isEmpty()
                    ? "invalid JSON body: expected an object, e.g. " + example
                    : "invalid JSON body: field \"" + field + "\" must be " + expected;
            throw new ApiException(400, ErrorCode.INVALID_JSON, message, null, details);
        } catch (JsonProcessingException e) {
            Map<String, Object> details = new LinkedHashMap<>();
            if (e.getLocation() != null) {
                details.put("line", e.getLocation().getLineNr());
                details.put("column", e.getLocation().getColumnNr());
            }
            throw new ApiException(400, ErrorCode.INVALID_JSON, "invalid JSON body: " + e.getOriginalMessage(), null, details);
        }
    }

    private static String field(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String typeName(Class<?> type) {
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }
}
