package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;
import java.util.Map;

/**
 * {@code node.joined}: an agent started. {@code routedSubnets} are the subnets already routed on its host
 * (e.g. Docker's 172.17.0.0/16), which automatic subnets must avoid. {@code hostname}: its host's name (uname),
 * the hostname of a host-mode sandbox there (Docker); events written before it decode with null.
 */
public record NodeJoined(String node, String underlayAddress, List<String> routedSubnets,
                         Map<String, String> versions, String hostname) implements EventData {

    public NodeJoined(String node, String underlayAddress, List<String> routedSubnets, Map<String, String> versions) {
        this(node, underlayAddress, routedSubnets, versions, null);
    }
}
