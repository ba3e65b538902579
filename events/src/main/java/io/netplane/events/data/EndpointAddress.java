package io.netplane.events.data;

/** One address of an endpoint with its prefix length and the gateway of its subnet. */
public record EndpointAddress(Family family, String address, int prefixLength, String gateway) {
}
