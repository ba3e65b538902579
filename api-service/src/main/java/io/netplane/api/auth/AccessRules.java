package io.netplane.api.auth;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The role each call needs, native and Docker API alike (Docker's {@code /v1.NN/x} arrives here as
 * {@code /x}): reading needs viewer; creating, connecting, disconnecting and removing need operator; prune,
 * node removal and anything not listed need admin.
 */
public final class AccessRules {
    private record Rule(String method, Pattern path, Role role) {
    }

    private static final String REF = "[^/]+";
    private static final List<Rule> RULES = List.of(
            rule("POST", "/api/v1/session", Role.VIEWER),
            rule("DELETE", "/api/v1/session", Role.VIEWER),
            rule("POST", "/api/v1/networks/prune", Role.ADMIN),
            rule("DELETE", "/api/v1/networks", Role.ADMIN),
            rule("POST", "/networks/prune", Role.ADMIN),
            rule("POST", "/api/v1/networks", Role.OPERATOR),
            rule("DELETE", "/api/v1/networks/" + REF, Role.OPERATOR),
            rule("POST", "/api/v1/networks/" + REF + "/(connect|disconnect)", Role.OPERATOR),
            rule("POST", "/api/v1/sandboxes", Role.OPERATOR),
            rule("DELETE", "/api/v1/sandboxes/" + REF, Role.OPERATOR),
            rule("POST", "/networks/create", Role.OPERATOR),
            rule("DELETE", "/networks/" + REF, Role.OPERATOR),
            rule("POST", "/networks/" + REF + "/(connect|disconnect)", Role.OPERATOR));

    private AccessRules() {
    }

    private static Rule rule(String method, String path, Role role) {
        return new Rule(method, Pattern.compile(path), role);
    }

    public static Role needed(String method, String path) {
        String m = method.toUpperCase(Locale.ROOT);
        if (m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS")) {
            return Role.VIEWER;
        }
        String p = path == null ? "/" : path.replaceAll("/+$", "");
        for (Rule r : RULES) {
            if (r.method().equals(m) && r.path().matcher(p).matches()) {
                return r.role();
            }
        }
        return Role.ADMIN;
    }
}
