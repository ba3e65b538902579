package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;
import java.util.Map;

/**
 * {@code node.joined}: an agent started. {@code routedSubnets} are the subnets already routed on its host
 * (e.g. Docker's 172.17.0.0/16), which automatic subnets must avoid. {@code versions}: at least {@code netplane}
 * (the agent) and {@code kernel} (uname release). {@code hostname}: its host's name (uname), the hostname of a
 * host-mode sandbox there (Docker). {@code capabilities}: what the agent can build on this host, from
 * {@link #CAPABILITIES}. Events written before a field decode with null there.
 */
public record NodeJoined(String node, String underlayAddress, List<String> routedSubnets,
                         Map<String, String> versions, String hostname, List<String> capabilities) implements EventData {
    /** bridge networks; overlay (VXLAN) networks; nftables (published ports, isolation); dns (embedded DNS). */
    public static final List<String> CAPABILITIES = List.of("bridge", "overlay", "nftables", "dns");

    public NodeJoined(String node, String underlayAddress, List<String> routedSubnets, Map<String, String> versions) {
        this(node, underlayAddress, routedSubnets, versions, null, null);
    }

    public NodeJoined(String node, String underlayAddress, List<String> routedSubnets, Map<String, String> versions,
                      String hostname) {
        this(node, underlayAddress, routedSubnets, versions, hostname, null);
    }
}
