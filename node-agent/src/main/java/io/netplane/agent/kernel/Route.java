package io.netplane.agent.kernel;

import java.net.InetAddress;

/**
 * A route of a routing table ({@code ip route show table main}). {@code destination} is null for a
 * default route; {@code outputIndex} is the link it leaves by (0 for multipath/blackhole routes);
 * {@code priority} is its metric (0 when the route has none).
 */
public record Route(Cidr destination, InetAddress gateway, int outputIndex, int table, int protocol, int scope,
                    int type, InetAddress preferredSource, int priority) {
    public static final int RT_TABLE_MAIN = 254;
    public static final int RTN_UNICAST = 1;

    public Route(Cidr destination, InetAddress gateway, int outputIndex, int table, int protocol, int scope, int type,
                 InetAddress preferredSource) {
        this(destination, gateway, outputIndex, table, protocol, scope, type, preferredSource, 0);
    }

    public boolean isDefault() { return destination == null || destination.prefixLength() == 0; }
}
