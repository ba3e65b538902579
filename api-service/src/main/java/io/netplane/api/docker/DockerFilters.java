package io.netplane.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Docker's {@code filters} query parameter: {@code {"name":{"br":true}}} (or the old {@code {"name":["br"]}}),
 * matched as Docker's filters.Args does: {@code name}/{@code id} as a regular expression found anywhere,
 * {@code driver}/{@code scope} exactly, {@code label} as {@code k} or {@code k=v} (all must match).
 */
final class DockerFilters {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, List<String>> fields;

    private DockerFilters(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    /** Parses and checks the keys; a bad key is Docker's 400 {@code Invalid filter 'foo'}. */
    static DockerFilters parse(String query, Set<String> accepted) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        if (query != null && !query.isBlank()) {
            JsonNode root;
            try {
                root = JSON.readTree(query);
            } catch (Exception e) {
                throw new DockerException(400, "invalid filter: " + query);
            }
            if (root == null || !root.isObject()) {
                throw new DockerException(400, "invalid filter: " + query);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                List<String> values = new ArrayList<>();
                JsonNode v = field.getValue();
                if (v.isObject()) {
                    v.fields().forEachRemaining(e -> {
                        if (e.getValue().asBoolean(false)) {
                            values.add(e.getKey());
                        }
                    });
                } else if (v.isArray()) {
                    v.forEach(e -> values.add(e.asText()));
                }
                fields.put(field.getKey(), values);
            }
        }
        for (String key : fields.keySet()) {
            if (!accepted.contains(key)) {
                throw new DockerException(400, "Invalid filter '" + key + "'");
            }
        }
        return new DockerFilters(fields);
    }

    boolean contains(String key) {
        return fields.containsKey(key);
    }

    List<String> get(String key) {
        return fields.getOrDefault(key, List.of());
    }

    /** Exact match of any value, or the field is not filtered on. */
    boolean exact(String key, String value) {
        List<String> values = fields.get(key);
        return values == null || values.contains(value);
    }

    /** Go's filters.Args.Match: exact, or the value as a regular expression found in the source. */
    boolean match(String key, String source) {
        List<String> values = fields.get(key);
        if (values == null) {
            return true;
        }
        for (String v : values) {
            if (v.equals(source)) {
                return true;
            }
            try {
                if (Pattern.compile(v).matcher(source).find()) {
                    return true;
                }
            } catch (PatternSyntaxException e) {
                // Go skips a value that is no valid expression
            }
        }
        return false;
    }

    /** Every {@code k} or {@code k=v} of {@code key} is among the labels. */
    boolean labels(String key, Map<String, String> labels) {
        List<String> values = fields.get(key);
        if (values == null) {
            return true;
        }
        for (String v : values) {
            int eq = v.indexOf('=');
            String k = eq < 0 ? v : v.substring(0, eq);
            if (!labels.containsKey(k)) {
                return false;
            }
            if (eq >= 0 && !v.substring(eq + 1).equals(labels.get(k))) {
                return false;
            }
        }
        return true;
    }

    /** Prune's {@code label!}: none of the given {@code k} / {@code k=v} is among the labels. */
    boolean labelsAbsent(String key, Map<String, String> labels) {
        for (String v : get(key)) {
            int eq = v.indexOf('=');
            String k = eq < 0 ? v : v.substring(0, eq);
            if (labels.containsKey(k) && (eq < 0 || v.substring(eq + 1).equals(labels.get(k)))) {
                return false;
            }
        }
        return true;
    }
}
