package io.netplane.api.auth;

/** Who presented a credential and the role it carries. */
public record Grant(String principal, Role role) {
}
