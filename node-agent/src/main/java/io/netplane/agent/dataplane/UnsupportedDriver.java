package io.netplane.agent.dataplane;

import io.netplane.events.data.Network;

/** A driver this agent does not build: every setup fails with a clear message. */
public final class UnsupportedDriver implements NetworkDriver {
    private final String driver;

    public UnsupportedDriver(String driver) {
        this.driver = driver;
    }

    @Override
    public NetworkState setup(Network network) {
        throw new DataplaneException("driver " + driver + " not supported yet");
    }

    @Override
    public void teardown(String networkId) {
        // nothing was made
    }
}
