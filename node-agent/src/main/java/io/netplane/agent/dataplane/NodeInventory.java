package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Address;
import io.netplane.agent.kernel.KernelModules;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.Route;
import io.netplane.agent.kernel.Rtnetlink;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a node reports about its host: the IPv4 subnets already routed on it (so automatic subnets avoid
 * them, e.g. Docker's 172.17.0.0/16), its underlay address and what it can build. Call it from the kernel thread only.
 */
public final class NodeInventory {
    private final Rtnetlink kernel;
    private final String node;

    public NodeInventory(Rtnetlink kernel, String node) {
        this.kernel = kernel;
        this.node = node;
    }

    /**
     * Destinations of the main table's IPv4 unicast routes as CIDRs, without default routes and without
     * routes via links this node marked (its own networks are ipam's already). Links another agent marked
     * count: a second stack on the same host (a test run beside `up`) must not reuse their subnets.
     */
    public List<String> routedSubnets() {
        Set<Integer> ownLinks = kernel.links().list().stream()
                .filter(link -> OwnershipMark.isOwnedBy(link.alias(), node))
                .map(Link::index)
                .collect(Collectors.toSet());
        return routedSubnets(kernel.routes().listIpv4Main(), ownLinks);
    }

    static List<String> routedSubnets(List<Route> routes, Set<Integer> excludedLinks) {
        return routes.stream()
                .filter(r -> r.type() == Route.RTN_UNICAST && !r.isDefault())
                .filter(r -> !excludedLinks.contains(r.outputIndex()))
                .map(r -> r.destination().network().toString())
                .distinct()
                .sorted()
                .toList();
    }

    /**
     * This node's underlay: {@code configured} (an address that must be on one of its links) or else
     * {@link #underlayAddress()}, with the MTU of the link holding it; {@link Underlay#NONE} when there is none.
     */
    public Underlay underlay(Optional<String> configured) {
        String literal = configured.orElseGet(this::underlayAddress);
        if (literal == null) {
            return Underlay.NONE;
        }
        if (!(io.netplane.agent.kernel.Cidr.literal(literal.trim()) instanceof Inet4Address address)) {
            throw new IllegalArgumentException("netplane.node.underlay-address must be an IPv4 address, got " + literal);
        }
        Optional<Address> held = kernel.addresses().listAll().stream()
                .filter(a -> a.cidr().address().equals(address))
                .findFirst();
        if (held.isEmpty() && configured.isPresent()) {
            throw new IllegalArgumentException("underlay address " + literal + " is on no link of node " + node);
        }
        int mtu = held.flatMap(a -> kernel.links().list().stream().filter(l -> l.index() == a.index()).findFirst())
                .map(Link::mtu).orElse(0);
        return new Underlay(address, mtu);
    }

    /** The preferred source, else the first IPv4 address, of the default route's link; null without one. */
    public String underlayAddress() {
        Optional<Route> defaultRoute = kernel.routes().listIpv4Main().stream()
                .filter(r -> r.type() == Route.RTN_UNICAST && r.isDefault() && r.outputIndex() != 0)
                .findFirst();
        if (defaultRoute.isEmpty()) {
            return null;
        }
        if (defaultRoute.get().preferredSource() != null) {
            return defaultRoute.get().preferredSource().getHostAddress();
        }
        return kernel.addresses().list(defaultRoute.get().outputIndex()).stream()
                .map(Address::cidr)
                .filter(c -> c.address() instanceof Inet4Address)
                .map(c -> c.address().getHostAddress())
                .findFirst()
                .orElse(null);
    }

    /**
     * What this agent can build here, in {@link io.netplane.events.data.NodeJoined#CAPABILITIES} order: bridge
     * networks need the bridge module, overlay networks the vxlan module and an underlay address, nftables a
     * working libnftables context (the agent's firewall), dns the embedded DNS switched on.
     */
    public static List<String> capabilities(KernelModules modules, Underlay underlay, boolean firewall, boolean dns) {
        List<String> can = new ArrayList<>();
        if (modules.isUsable("bridge")) {
            can.add("bridge");
        }
        if (underlay.isKnown() && modules.isUsable("vxlan")) {
            can.add("overlay");
        }
        if (firewall) {
            can.add("nftables");
        }
        if (dns) {
            can.add("dns");
        }
        return List.copyOf(can);
    }
}
