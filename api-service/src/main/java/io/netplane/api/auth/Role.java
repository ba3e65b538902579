package io.netplane.api.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** What a principal may do: admin ⊇ operator ⊇ viewer. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean grants(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The role names a security identity carries: this role and every lower one. */
    public Set<String> names() {
        return Arrays.stream(values()).filter(this::grants).map(Role::wireName).collect(Collectors.toUnmodifiableSet());
    }

    public static Optional<Role> of(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(name)).findFirst();
    }

    /** The highest role among an identity's role names. */
    public static Optional<Role> highest(Set<String> names) {
        return Arrays.stream(values()).filter(r -> names.contains(r.wireName())).reduce((a, b) -> b);
    }
}
