package io.netplane.agent.dataplane;

import java.net.Inet4Address;

/** An endpoint of an overlay network on another node: its MAC and IPv4 address, and that node's underlay address. */
public record OverlayPeer(String endpointId, String mac, Inet4Address address, Inet4Address underlay) {
    public OverlayPeer {
        mac = mac.toLowerCase(java.util.Locale.ROOT); // as the kernel reports it
    }
}
