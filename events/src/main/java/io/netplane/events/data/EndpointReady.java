package io.netplane.events.data;

import io.netplane.events.EventData;

/**
 * {@code endpoint.ready}: the veth pair exists, addressed and up. {@code ifindex}/{@code iflink} are the sandbox
 * end's (its iflink is the host end's ifindex), {@code hostIfindex}/{@code hostIflink} the host end's (its iflink
 * is the sandbox end's ifindex) — the seed's pairing; {@code mac} the sandbox end's, {@code address} its first
 * address as {@code 172.18.0.2/16}. Events written before these four fields decode with null / 0.
 */
public record EndpointReady(String endpointId, String sandboxId, String networkId, String node, String hostIfname,
                            String ifname, int ifindex, int iflink, int hostIfindex, int hostIflink, String mac,
                            String address) implements EventData {

    public EndpointReady(String endpointId, String sandboxId, String networkId, String node, String hostIfname,
                         String ifname, int ifindex, int iflink) {
        this(endpointId, sandboxId, networkId, node, hostIfname, ifname, ifindex, iflink, 0, 0, null, null);
    }
}
