package io.netplane.agent.dataplane;

import java.net.Inet4Address;

/**
 * This node's underlay: the IPv4 address VXLAN packets leave from and arrive at (what {@code node.joined}
 * announces), and the MTU of its link. {@link #NONE}: unknown; overlay networks then fail with a clear message.
 */
public record Underlay(Inet4Address address, int mtu) {
    public static final Underlay NONE = new Underlay(null, 0);
    static final int DEFAULT_MTU = 1500;

    public boolean isKnown() { return address != null; }

    /** The overlay MTU when the network sets none: the underlay's minus the VXLAN overhead (50 bytes). */
    public int overlayMtu() {
        return (mtu > 0 ? mtu : DEFAULT_MTU) - io.netplane.agent.kernel.Vxlan.OVERHEAD;
    }
}
