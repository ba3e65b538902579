package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;
import java.util.Map;

/**
 * {@code node.joined}: an agent started. {@code routedSubnets} are the subnets already routed on its host
 * (e.g. Docker's 172.17.0.0/16), which automatic subnets must avoid.
 */
public record NodeJoined(String node, String underlayAddress, List<String> routedSubnets,
                         Map<String, String> versions) implements EventData {
}
