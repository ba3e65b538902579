package io.netplane.agent.kernel;

/** An address on an interface ({@code ip addr show}): {@code 10.0.0.1/24} on link {@code index}. */
public record Address(int index, Cidr cidr, String label) {
}
