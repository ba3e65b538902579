package io.netplane.agent.dataplane;

import io.netplane.events.data.Network;

/** The {@code host} and {@code null} drivers: the network needs nothing in the kernel until a sandbox joins it. */
public final class KernelFreeDriver implements NetworkDriver {
    @Override
    public NetworkState setup(Network network) {
        return new NetworkState(network.id(), null, 0);
    }

    @Override
    public void teardown(String networkId) {
        // nothing was made
    }
}
