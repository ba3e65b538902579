package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.SubnetAllocation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bridge a {@code bridge}-driver network needs on this node: its Linux name, its mark and its gateway
 * addresses (each with its subnet's prefix length). IPv4 only for now; IPv6 subnets will add addresses here.
 */
public record DesiredBridge(String networkId, String name, OwnershipMark mark, List<Cidr> gateways) {
    private static final int IFNAMSIZ = 16; // including the NUL

    public static DesiredBridge of(Network network, String node, String defaultBridgeName) {
        String name = network.predefined() ? defaultBridgeName : network.bridge();
        if (name == null || name.isBlank()) {
            throw new DataplaneException("network " + network.id() + " has no bridge name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length >= IFNAMSIZ || name.equals(".") || name.equals("..")
                || !name.chars().allMatch(c -> c > ' ' && c < 127 && c != '/' && c != ':')) {
            throw new DataplaneException("network " + network.id() + ": invalid bridge name '" + name + "'");
        }
        List<Cidr> gateways = new ArrayList<>();
        for (SubnetAllocation subnet : network.subnets() == null ? List.<SubnetAllocation>of() : network.subnets()) {
            if (subnet.family() != Family.ipv4 || subnet.gateway() == null || subnet.gateway().isBlank()) {
                continue;
            }
            try {
                Cidr prefix = Cidr.parse(subnet.subnet());
                String gateway = subnet.gateway().contains("/")
                        ? subnet.gateway().substring(0, subnet.gateway().indexOf('/')) : subnet.gateway();
                gateways.add(new Cidr(Cidr.literal(gateway), prefix.prefixLength()));
            } catch (IllegalArgumentException e) {
                throw new DataplaneException("network " + network.id() + ": bad subnet " + subnet.subnet()
                        + " / gateway " + subnet.gateway() + ": " + e.getMessage(), e);
            }
        }
        return new DesiredBridge(network.id(), name, OwnershipMark.network(node, network.id()), List.copyOf(gateways));
    }
}
