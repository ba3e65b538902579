package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;

import java.util.List;

/**
 * The node's packet filter and NAT for netplane networks: isolation between networks, masquerade out of
 * non-internal ones, nothing out of internal ones, and DNAT for published ports. Every verb is idempotent.
 */
public interface Firewall {
    /** Makes the table (replacing what a previous run left) and the sysctls forwarding needs. */
    void start();

    void addNetwork(String networkId, String bridge, List<Cidr> subnets, boolean internal);

    void removeNetwork(String networkId);

    void addPorts(String endpointId, List<PortMapping> mappings);

    void removePorts(String endpointId);

    /** Rewrites the whole table from what is set up now, in one transaction: stale elements go. */
    void converge();

    /**
     * Puts back netplane's accepts in the iptables FORWARD path if they are missing or stale (Docker started,
     * restarted or upgraded after this agent, a FORWARD policy set to drop by hand): reads two chains, writes only
     * when something differs. The periodic converge calls it.
     */
    default void convergeForwardAccepts() {
    }

    /** A node without a firewall (tests that only build bridges; hosts where another tool owns the firewall). */
    Firewall NONE = new Firewall() {
        @Override public void start() { }
        @Override public void addNetwork(String networkId, String bridge, List<Cidr> subnets, boolean internal) { }
        @Override public void removeNetwork(String networkId) { }
        @Override public void addPorts(String endpointId, List<PortMapping> mappings) { }
        @Override public void removePorts(String endpointId) { }
        @Override public void converge() { }
    };
}
