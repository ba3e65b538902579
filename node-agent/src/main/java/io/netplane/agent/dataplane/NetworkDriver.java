package io.netplane.agent.dataplane;

import io.netplane.events.data.Network;

/** What a network driver does on one node. Both verbs are idempotent. */
public interface NetworkDriver {
    /** Makes the kernel hold what the network needs on this node. */
    NetworkState setup(Network network);

    /** Removes every kernel object this node made for the network; nothing left is success. */
    void teardown(String networkId);
}
