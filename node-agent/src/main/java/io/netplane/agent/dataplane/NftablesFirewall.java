package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.KernelException;
import io.netplane.agent.kernel.Nftables;
import io.netplane.agent.kernel.Sysctl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The firewall as one {@code inet <table>} (default {@code netplane}) changed through libnftables in atomic
 * transactions. It keeps what it has put in the table, so each change is exactly the elements to add or
 * delete; {@link #converge()} rewrites the table from that model. Call it from the kernel thread only (the
 * table, the sysctls and the nft context belong to that thread's namespace).
 */
public final class NftablesFirewall implements Firewall {
    private final Nftables nft;
    private final String table;
    private final Map<String, FirewallNetwork> networks = new LinkedHashMap<>();
    private final Map<String, List<PortMapping>> ports = new LinkedHashMap<>();

    public NftablesFirewall(Nftables nft, String table) {
        if (!table.matches("[A-Za-z][A-Za-z0-9_]{0,31}")) {
            throw new IllegalArgumentException("invalid nftables table name '" + table + "'");
        }
        this.nft = nft;
        this.table = table;
    }

    @Override
    public void start() {
        try {
            Sysctl.set("net/ipv4/ip_forward", "1");
        } catch (KernelException e) {
            throw new DataplaneException("firewall: " + e.getMessage(), e);
        }
        converge();
    }

    @Override
    public void addNetwork(String networkId, String bridge, List<Cidr> subnets, boolean internal) {
        FirewallNetwork network = new FirewallNetwork(networkId, bridge, List.copyOf(subnets), internal);
        FirewallNetwork current = networks.get(networkId);
        if (network.equals(current)) {
            return;
        }
        try {
            // DNAT from the host's 127.0.0.1 to a sandbox routes a loopback source out of the bridge
            Sysctl.set("net/ipv4/conf/" + bridge + "/route_localnet", "1");
            Map<String, FirewallNetwork> next = new LinkedHashMap<>(networks);
            next.put(networkId, network);
            String change = (current == null ? "" : FirewallRuleset.removeNetwork(table, current))
                    + FirewallRuleset.addNetwork(table, network) + forwardAccepts(next.values());
            nft.apply("firewall: add network " + networkId + " (" + bridge + ")", change);
        } catch (KernelException e) {
            throw new DataplaneException(e.getMessage(), e);
        }
        networks.put(networkId, network);
    }

    @Override
    public void removeNetwork(String networkId) {
        FirewallNetwork current = networks.get(networkId);
        if (current == null) {
            return;
        }
        networks.remove(networkId);
        try {
            nft.apply("firewall: remove network " + networkId, FirewallRuleset.removeNetwork(table, current)
                    + forwardAccepts(networks.values()));
        } catch (KernelException e) {
            converge(); // the table differs from the model (changed by hand?): rewrite it without the network
        }
    }

    @Override
    public void addPorts(String endpointId, List<PortMapping> mappings) {
        List<PortMapping> current = ports.get(endpointId);
        if (mappings.equals(current) || (current == null && mappings.isEmpty())) {
            return;
        }
        String change = (current == null ? "" : FirewallRuleset.removePorts(table, current))
                + FirewallRuleset.addPorts(table, mappings);
        try {
            nft.apply("firewall: publish ports of endpoint " + endpointId, change);
        } catch (KernelException e) {
            throw new DataplaneException(e.getMessage(), e);
        }
        ports.put(endpointId, List.copyOf(mappings));
    }

    @Override
    public void removePorts(String endpointId) {
        List<PortMapping> current = ports.get(endpointId);
        if (current == null) {
            return;
        }
        ports.remove(endpointId);
        if (!current.isEmpty()) {
            try {
                nft.apply("firewall: unpublish ports of endpoint " + endpointId, FirewallRuleset.removePorts(table, current));
            } catch (KernelException e) {
                converge(); // the table differs from the model (changed by hand?): rewrite it without the ports
            }
        }
    }

    @Override
    public void converge() {
        try {
            nft.apply("firewall: write table inet " + table, FirewallRuleset.replace(table, networks.values(),
                    ports.values().stream().flatMap(List::stream).toList()) + forwardAccepts(networks.values()));
        } catch (KernelException e) {
            throw new DataplaneException(e.getMessage(), e);
        }
    }

    @Override
    public void convergeForwardAccepts() {
        String change = forwardAccepts(networks.values());
        if (change.isEmpty()) {
            return;
        }
        try {
            nft.apply("firewall: forward accepts for " + FirewallRuleset.names(networks.values()), change);
        } catch (KernelException e) {
            throw new DataplaneException(e.getMessage(), e);
        }
    }

    /**
     * The commands that make the iptables FORWARD path accept the traffic of exactly these networks' bridges
     * (see {@link ForwardAccepts}: DOCKER-USER if it exists, else FORWARD if its policy is drop), part of the
     * same transaction as the change to netplane's table.
     */
    private String forwardAccepts(java.util.Collection<FirewallNetwork> wanted) {
        ForwardAccepts.Chains chains = ForwardAccepts.parse(table, chain(ForwardAccepts.DOCKER_USER),
                chain(ForwardAccepts.FORWARD));
        return ForwardAccepts.change(table, chains, wanted.stream().map(FirewallNetwork::bridge).toList());
    }

    /** {@code nft -j list chain ip filter NAME}, or null when there is no such chain (or no such table). */
    private String chain(String name) {
        try {
            return nft.json("list chain ip filter " + name, "list chain ip filter " + name);
        } catch (KernelException e) {
            return null;
        }
    }

    /** The table as {@code nft -j list table inet <table>} prints it (tests, diagnostics). */
    public String listJson() {
        return nft.json("list table " + table, "list table inet " + table);
    }
}
