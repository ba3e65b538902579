package io.netplane.agent.kernel;

import java.net.Inet4Address;

/**
 * A VXLAN device as netplane builds it: {@code vni}, the local underlay address, UDP {@code port} (4789),
 * {@code mtu} (0: the kernel's), {@code master} the bridge index (0: none), {@code proxy} (answer ARP from the
 * device's own neighbour table). Learning is always off: remote MACs come from static FDB entries only.
 */
public record Vxlan(String name, int vni, Inet4Address local, int port, int mtu, int master, boolean proxy) {
    public static final int IANA_PORT = 4789;
    public static final int OVERHEAD = 50; // outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8

    public Vxlan {
        if (vni < 1 || vni > 0xffffff) {
            throw new IllegalArgumentException("VNI out of range 1..16777215: " + vni);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("UDP port out of range: " + port);
        }
    }
}
