package io.netplane.agent.dataplane;

/**
 * An endpoint built on this node: the host end {@code hostIfname} (ifindex, iflink = the sandbox end's ifindex)
 * and the sandbox end {@code ifname} in {@code netns} (ifindex, iflink = the host end's ifindex), its MAC and
 * first address ("172.18.0.2/16").
 */
public record EndpointState(String endpointId, String sandboxId, String networkId, String netns, String hostIfname,
                            int hostIfindex, int hostIflink, String ifname, int ifindex, int iflink, String mac,
                            String address) {
}
