package io.netplane.events.data;

/**
 * A subnet a network holds. {@code auto}: carved from a pool; {@code gatewayGiven}: the user named the
 * gateway (Docker shows a gateway in IPAM.Config only then, or for automatic subnets).
 */
public record SubnetAllocation(Family family, String subnet, String gateway, String ipRange, boolean auto,
                               boolean gatewayGiven) {
}
