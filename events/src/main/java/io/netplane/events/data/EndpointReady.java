package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code endpoint.ready}: the veth pair exists, addressed and up. */
public record EndpointReady(String endpointId, String sandboxId, String networkId, String node, String hostIfname,
                            String ifname, int ifindex, int iflink) implements EventData {
}
