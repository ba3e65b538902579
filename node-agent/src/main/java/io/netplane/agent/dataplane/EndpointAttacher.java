package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.KernelException;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.Links;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.kernel.Veth;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attaches an endpoint to its sandbox and network on the bridge driver: a veth pair whose host end
 * {@code vnp<12 hex>} sits on the network's bridge, marked as this node's, and whose peer is born in the
 * sandbox's netns as {@code ifname} with its MAC, address(es), no IPv6 link-local
 * unless the network has IPv6, up, and — when the caller's rule
 * ({@link DefaultRoutes}) says this endpoint carries it — the default route via its gateway; the published host
 * ports held and DNATed. Each step registers its undo, so a failed
 * attach leaves nothing. Detach is idempotent and keeps going past errors. Call it from the kernel thread only.
 */
public final class EndpointAttacher {
    static final String MTU_OPTION = "com.docker.network.driver.mtu";

    private final Rtnetlink kernel;
    private final String node;
    private final Firewall firewall;
    private final PortReservations reservations;
    /**
     * The link group of detached veths whose delete is still queued ({@code ip link show group 28272}: "np"). A
     * veth's delete costs 15–30 ms of kernel teardown (RCU grace periods under rtnl) whether it goes alone or
     * with others, so they are deleted together, one request per batch.
     */
    public static final int DETACHED_GROUP = 0x6e70;

    /** What attach/adopt learned of each endpoint's sandbox end, so a deferred detach can clear its addresses. */
    private final Map<String, SandboxEnd> sandboxEnds = new HashMap<>();
    /** Host ends in {@link #DETACHED_GROUP}, not yet deleted (guarded by itself: the deletes may run on another thread). */
    private final Set<String> detached = new HashSet<>();
    private boolean deleteQueued; // guarded by detached

    /** The sandbox end of an endpoint: {@code ifname} (ifindex) in {@code netns}, holding {@code addresses}. */
    private record SandboxEnd(NetNamespace netns, int index, String ifname, List<Cidr> addresses) {
    }

    public EndpointAttacher(Rtnetlink kernel, String node, Firewall firewall, PortReservations reservations) {
        this.kernel = kernel;
        this.node = node;
        this.firewall = firewall;
        this.reservations = reservations;
    }

    public static String hostIfname(String endpointId) {
        return "vnp" + endpointId.substring(0, Math.min(12, endpointId.length()));
    }

    /**
     * Makes the endpoint exist: adopts a pair this node already built for it (after a restart: holds its ports
     * and DNAT again), rebuilds a half-gone one, attaches a missing one.
     */
    public EndpointState ensure(Endpoint endpoint, String sandboxName, String netns, Network network, String bridge) {
        return ensure(endpoint, sandboxName, netns, network, bridge, !network.internal());
    }

    /**
     * {@link #ensure(Endpoint, String, String, Network, String)}; {@code defaultRoute}: a new attach moves the
     * sandbox's default route to this endpoint (an adopted one is left to {@link DefaultRoutes#converge}).
     */
    public EndpointState ensure(Endpoint endpoint, String sandboxName, String netns, Network network, String bridge,
                                boolean defaultRoute) {
        String host = hostIfname(endpoint.id());
        if (waitsForDelete(host)) { // its old pair is only waiting for its delete: never adopt that one
            deleteDetached();
        }
        Optional<Link> existing = kernel.links().get(host);
        if (existing.isPresent()) {
            String mark = OwnershipMark.endpoint(node, endpoint.id()).alias();
            if (!mark.equals(existing.get().alias()) && !unmarkedPairOf(existing.get(), endpoint, netns)) {
                throw new DataplaneException("endpoint " + endpoint.id() + ": link " + host
                        + " already exists and is not this endpoint's; netplane leaves it untouched");
            }
            Optional<EndpointState> adopted = adopt(endpoint, sandboxName, netns, network, existing.get());
            if (adopted.isPresent()) {
                return adopted.get();
            }
            detach(endpoint.id());
        }
        return attach(endpoint, sandboxName, netns, network, bridge, defaultRoute);
    }

    /** Attaches the only endpoint of its sandbox: it carries the default route unless its network is internal. */
    public EndpointState attach(Endpoint endpoint, String sandboxName, String netns, Network network, String bridge) {
        return attach(endpoint, sandboxName, netns, network, bridge, !network.internal());
    }

    /**
     * Equivalent to the netavark/CNI bridge ADD, with the fused veth (see {@link io.netplane.agent.kernel.Links#createVeth});
     * {@code defaultRoute}: the sandbox's default route leaves by this endpoint's gateway from now on (put back as
     * it was if a later step fails).
     */
    public EndpointState attach(Endpoint endpoint, String sandboxName, String netns, Network network, String bridge,
                                boolean defaultRoute) {
        String id = endpoint.id();
        String host = hostIfname(id);
        String ifname = endpoint.ifname();
        Rollback rollback = new Rollback();
        try {
            if (netns == null) {
                throw new DataplaneException("its sandbox " + endpoint.sandboxId() + " has no namespace of its own");
            }
            NetNamespace namespace = NetNamespace.of(netns);
            Link bridgeLink = kernel.links().get(bridge).orElseThrow(() -> new DataplaneException(
                    "bridge " + bridge + " of network " + network.id() + " is missing"));
            List<Cidr> addresses = addresses(endpoint);
            List<PortMapping> mappings = network.internal() ? List.of() // Docker publishes nothing on --internal
                    : PortMapping.of(id, endpoint.ports(), endpoint.addresses());

            reservations.reserve(id, sandboxName, mappings);
            rollback.add(() -> reservations.release(id));

            Veth veth = new Veth(host, bridgeLink.index(), mtu(network), ifname, -1, endpoint.mac());
            Link hostEnd = NetNamespaces.withDescriptor(namespace, fd -> kernel.links().createVeth(
                    veth.withPeerNamespaceFd(fd), OwnershipMark.endpoint(node, id).alias()));
            rollback.add(() -> kernel.links().deleteByName(host));
            if (!mappings.isEmpty()) {
                kernel.links().setHairpin(hostEnd.index(), host); // so the sandbox reaches its own published ports
            }

            Link peer;
            try (Rtnetlink inside = Rtnetlink.in(namespace)) {
                peer = inside.links().get(ifname).orElseThrow(() -> new DataplaneException(
                        ifname + " is missing in " + namespace + " right after its veth was created"));
                if (!network.enableIpv6()) {
                    // no IPv6 link-local on a network without IPv6: brought up with one, the sandbox end sends
                    // DAD, MLD reports and router solicitations, multicast the bridge floods to every port —
                    // each attach cost all other endpoints a frame (softirq br_flood: 6% of the machine at 1,000)
                    inside.links().setNoIpv6LinkLocal(peer.index(), ifname);
                }
                for (Cidr address : addresses) {
                    inside.addresses().add(peer.index(), ifname, address);
                }
                inside.links().setUp(peer.index(), ifname);
                // the published ports between the up and the route: the up gives the host end its carrier, and
                // the linkwatch worker then walks all the bridge's ports under rtnl (br_port_state_selection);
                // nftables takes no rtnl, so that walk runs meanwhile instead of holding up the route add
                firewall.addPorts(id, mappings);
                rollback.add(() -> firewall.removePorts(id));
                Optional<EndpointAddress> gateway = defaultRoute ? gateway(endpoint) : Optional.empty();
                if (gateway.isPresent()) {
                    Runnable putBack = DefaultRoutes.replace(inside, namespace, Cidr.literal(gateway.get().gateway()),
                            peer.index(), ifname);
                    rollback.add(putBack::run);
                }
            }

            sandboxEnds.put(id, new SandboxEnd(namespace, peer.index(), ifname, addresses));
            return new EndpointState(id, endpoint.sandboxId(), endpoint.networkId(), namespace.name(), host,
                    hostEnd.index(), hostEnd.link(), ifname, peer.index(), peer.link(), peer.mac(),
                    addresses.isEmpty() ? null : addresses.get(0).toString());
        } catch (KernelException | DataplaneException | IllegalArgumentException e) {
            throw rollback.undo(new DataplaneException("attach endpoint " + id + ": " + e.getMessage(), e));
        }
    }

    /**
     * Removes everything of the endpoint: its DNAT elements, its veth pair (deleting the host end deletes the
     * sandbox end, its addresses and routes), its held ports. Nothing left is success; every step is tried and
     * all errors are reported together.
     */
    public void detach(String endpointId) {
        detach(endpointId, hostIfname(endpointId));
    }

    /** {@link #detach(String)} of a veth found by its mark, whatever its name. */
    public void detach(String endpointId, String hostIfname) {
        detach(endpointId, hostIfname, null);
    }

    /**
     * {@link #detach(String)} for a removal reported at once: on return the endpoint carries no traffic and its
     * address and ports are free — its DNAT elements are gone, its host end is off the bridge and down (one
     * message; neither end has a carrier), the sandbox end holds no IPv4 address (deleted through a socket in the
     * sandbox's netns, from what attach learned), its held ports are released. The veth delete itself — 15–30 ms
     * of the kernel's device teardown (RCU grace periods under rtnl) that no message order avoids — is a task
     * {@code deviceRemoval} runs on a thread of the agent's own namespace (at once or a little later, so the veths
     * detached meanwhile go in the same request; best beside the kernel thread, which then goes on attaching
     * meanwhile); until then the host end is in {@link #DETACHED_GROUP}.
     * An attach of the same endpoint deletes it first, so it never meets the old pair.
     */
    public void detach(String endpointId, Executor deviceRemoval) {
        detach(endpointId, hostIfname(endpointId), deviceRemoval);
    }

    /** {@code deviceRemoval} null: delete the veth now. */
    private void detach(String endpointId, String hostIfname, Executor deviceRemoval) {
        List<String> errors = new ArrayList<>();
        SandboxEnd sandboxEnd = sandboxEnds.remove(endpointId);
        try {
            firewall.removePorts(endpointId);
        } catch (RuntimeException e) {
            errors.add(e.getMessage());
        }
        boolean deferred = false;
        try {
            if (deviceRemoval != null && kernel.links().setDownOffBridgeByName(hostIfname, DETACHED_GROUP)) {
                deferred = true;
                boolean queue;
                synchronized (detached) {
                    detached.add(hostIfname);
                    queue = !deleteQueued;
                    deleteQueued = true;
                }
                try {
                    clearAddresses(sandboxEnd);
                } finally {
                    if (queue) {
                        deviceRemoval.execute(this::deleteDetachedOverOwnSocket);
                    }
                }
            }
        } catch (RuntimeException e) {
            errors.add(e.getMessage());
        }
        try {
            if (!deferred) {
                kernel.links().deleteByName(hostIfname);
                synchronized (detached) {
                    detached.remove(hostIfname);
                }
            }
        } catch (RuntimeException e) {
            errors.add(e.getMessage());
        }
        reservations.release(endpointId);
        if (!errors.isEmpty()) {
            throw new DataplaneException("detach endpoint " + endpointId + ": " + String.join("; ", errors));
        }
    }

    /** Takes the published ports whose sockets waited for connections to leave them (see PortReservations). Kernel thread only. */
    public void retryPortReservations() {
        reservations.retryWaiting();
    }

    /** Deletes every veth a deferred detach left in {@link #DETACHED_GROUP}, in one request. Kernel thread only. */
    public void deleteDetached() {
        deleteDetached(kernel.links());
    }

    /**
     * {@link #deleteDetached()} over a route socket of the calling thread, which must be in the agent's own
     * namespace: the teardown's wait then holds up no other kernel work (the kernel thread attaches meanwhile).
     */
    private void deleteDetachedOverOwnSocket() {
        try (Rtnetlink own = Rtnetlink.open()) {
            deleteDetached(own.links());
        }
    }

    private void deleteDetached(Links links) {
        List<String> deleting;
        synchronized (detached) {
            deleteQueued = false;
            if (detached.isEmpty()) {
                return;
            }
            deleting = List.copyOf(detached);
        }
        links.deleteGroup(DETACHED_GROUP); // also takes any detached after the copy: their own delete finds none
        synchronized (detached) {
            deleting.forEach(detached::remove);
        }
    }

    private boolean waitsForDelete(String hostIfname) {
        synchronized (detached) {
            return detached.contains(hostIfname);
        }
    }

    /**
     * Equivalent to {@code ip -n NETNS addr del ADDRESS dev IFNAME} for each of its IPv4 addresses: the address is
     * free before the device is gone. A namespace already removed took its addresses with it.
     */
    private void clearAddresses(SandboxEnd sandboxEnd) {
        if (sandboxEnd == null || sandboxEnd.addresses().isEmpty() || !NetNamespaces.exists(sandboxEnd.netns().name())) {
            return;
        }
        try (Rtnetlink inside = Rtnetlink.in(sandboxEnd.netns())) {
            for (Cidr address : sandboxEnd.addresses()) {
                inside.addresses().delete(sandboxEnd.index(), sandboxEnd.ifname(), address);
            }
        }
    }

    /** The veths this node marked as endpoints, whatever their name: endpoint id → link name (to find stale ones). */
    public Map<String, String> built() {
        try {
            Map<String, String> built = new LinkedHashMap<>();
            for (Link link : kernel.links().list()) {
                OwnershipMark.parse(link.alias())
                        .filter(mark -> mark.node().equals(node) && OwnershipMark.ENDPOINT.equals(mark.kind()))
                        .ifPresent(mark -> built.put(mark.id(), link.name()));
            }
            return built;
        } catch (KernelException e) {
            throw new DataplaneException(e.getMessage(), e);
        }
    }

    /**
     * The kernel takes no alias in a create request, so an agent killed between creating the pair and marking it
     * leaves an unmarked {@code vnp<12 hex>} whose peer is {@code ifname} in the sandbox's namespace (one this node
     * made): that pair is this endpoint's half-built one, to be rebuilt. Anything else by that name is not ours.
     */
    private boolean unmarkedPairOf(Link hostEnd, Endpoint endpoint, String netns) {
        if ((hostEnd.alias() != null && !hostEnd.alias().isEmpty()) || netns == null
                || !NetNamespaces.exists(NetNamespace.of(netns).name())) {
            return false;
        }
        try (Rtnetlink inside = Rtnetlink.in(NetNamespace.of(netns))) {
            Optional<Link> peer = inside.links().get(endpoint.ifname());
            return peer.isPresent() && peer.get().link() == hostEnd.index() && hostEnd.link() == peer.get().index();
        } catch (KernelException e) {
            return false;
        }
    }

    /** The pair is complete (the sandbox end is the host end's peer and carries the address): take it over. */
    private Optional<EndpointState> adopt(Endpoint endpoint, String sandboxName, String netns, Network network,
                                          Link hostEnd) {
        if (netns == null || !NetNamespaces.exists(NetNamespace.of(netns).name())) {
            return Optional.empty();
        }
        List<Cidr> addresses = addresses(endpoint);
        Link peer;
        try (Rtnetlink inside = Rtnetlink.in(NetNamespace.of(netns))) {
            Optional<Link> found = inside.links().get(endpoint.ifname());
            if (found.isEmpty() || found.get().link() != hostEnd.index() || hostEnd.link() != found.get().index()
                    || !found.get().isUp()) {
                return Optional.empty();
            }
            peer = found.get();
            var present = inside.addresses().list(peer.index()).stream().map(a -> a.cidr()).toList();
            if (!present.containsAll(addresses)) {
                return Optional.empty();
            }
        } catch (KernelException e) {
            return Optional.empty();
        }
        List<PortMapping> mappings = network.internal() ? List.of()
                : PortMapping.of(endpoint.id(), endpoint.ports(), endpoint.addresses());
        reservations.reserve(endpoint.id(), sandboxName, mappings);
        try {
            firewall.addPorts(endpoint.id(), mappings);
        } catch (DataplaneException e) {
            reservations.release(endpoint.id());
            throw e;
        }
        sandboxEnds.put(endpoint.id(), new SandboxEnd(NetNamespace.of(netns), peer.index(), peer.name(), addresses));
        return Optional.of(new EndpointState(endpoint.id(), endpoint.sandboxId(), endpoint.networkId(),
                NetNamespace.of(netns).name(), hostEnd.name(), hostEnd.index(), hostEnd.link(), peer.name(),
                peer.index(), peer.link(), peer.mac(), addresses.isEmpty() ? null : addresses.get(0).toString()));
    }

    private static List<Cidr> addresses(Endpoint endpoint) {
        List<Cidr> addresses = new ArrayList<>();
        for (EndpointAddress address : endpoint.addresses() == null ? List.<EndpointAddress>of() : endpoint.addresses()) {
            if (address.family() == Family.ipv4) {
                addresses.add(new Cidr(Cidr.literal(address.address()), address.prefixLength()));
            }
        }
        return addresses;
    }

    /** The endpoint's IPv4 gateway (its subnet's), if it has one. */
    public static Optional<EndpointAddress> gateway(Endpoint endpoint) {
        if (endpoint.addresses() == null) {
            return Optional.empty();
        }
        return endpoint.addresses().stream()
                .filter(a -> a.family() == Family.ipv4 && a.gateway() != null && !a.gateway().isBlank())
                .findFirst();
    }

    static int mtu(Network network) {
        String value = network.options() == null ? null : network.options().get(MTU_OPTION);
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            int mtu = Integer.parseInt(value.trim());
            return mtu >= 68 && mtu <= 65535 ? mtu : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
