package io.netplane.events.data;

/** Address family. Every address, subnet and gateway carries one, so dual-stack needs no new shape. */
public enum Family {
    ipv4, ipv6
}
