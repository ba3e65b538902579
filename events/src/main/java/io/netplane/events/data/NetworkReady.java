package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code network.ready} from one node: the network's kernel objects exist there. */
public record NetworkReady(String networkId, String node, String bridge, int ifindex) implements EventData {
}
