package io.netplane.agent.kernel;

import java.net.InetAddress;

/**
 * A route of a routing table ({@code ip route show table main}). {@code destination} is null for a
 * default route; {@code outputIndex} is the link it leaves by (0 for multipath/blackhole routes).
 */
public record Route(Cidr destination, InetAddress gateway, int outputIndex, int table, int protocol, int scope,
                    int type, InetAddress preferredSource) {
    public static final int RT_TABLE_MAIN = 254;
    public static final int RTN_UNICAST = 1;

    public boolean isDefault() { return destination == null || destination.prefixLength() == 0; }
}
