package io.netplane.agent.reconcile;

import io.netplane.agent.dataplane.OverlayPeer;
import io.netplane.agent.kernel.Cidr;
import io.netplane.events.EventType;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;

import java.net.Inet4Address;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What this node must know about overlay networks, from the desired records of EVERY node and the node
 * registry: the overlay networks, the endpoints on them (local and remote) and each node's underlay address.
 * An overlay network is needed on this node while it has at least one local endpoint on it; its peers are
 * its endpoints on other nodes whose underlay address is known. Not thread-safe: its owner synchronises.
 */
public final class OverlayDirectory {
    private static final String NETWORK = "network";
    private static final String ENDPOINT = "endpoint";

    private final String node;
    private final Map<String, Network> networks = new HashMap<>();
    private final Map<String, Endpoint> endpoints = new HashMap<>(); // every endpoint seen, by id
    private final Map<String, Inet4Address> underlays = new HashMap<>();

    public OverlayDirectory(String node) {
        this.node = node;
    }

    /** Keeps a desired record; returns the overlay networks whose needs or peers it may change. */
    public Set<String> remember(DesiredChange change) {
        Set<String> touched = new HashSet<>();
        switch (change.kind()) {
            case NETWORK -> {
                Network previous = networks.remove(change.id());
                if (!change.isTombstone() && change.envelope().is(EventType.NETWORK_DESIRED)) {
                    Network network = change.envelope().data(Network.class);
                    if ("overlay".equals(network.driver())) {
                        networks.put(network.id(), network);
                        touched.add(network.id());
                    }
                }
                if (previous != null) {
                    touched.add(previous.id());
                }
            }
            case ENDPOINT -> {
                Endpoint previous = endpoints.remove(change.id());
                if (previous != null) {
                    touched.add(previous.networkId());
                }
                if (!change.isTombstone() && change.envelope().is(EventType.ENDPOINT_DESIRED)) {
                    Endpoint endpoint = change.envelope().data(Endpoint.class);
                    endpoints.put(endpoint.id(), endpoint);
                    touched.add(endpoint.networkId());
                }
            }
            default -> { }
        }
        touched.removeIf(id -> !networks.containsKey(id) && !NETWORK.equals(change.kind()));
        return touched;
    }

    /** Records a node's underlay address; returns the overlay networks with endpoints on that node. */
    public Set<String> nodeAddress(String nodeName, Inet4Address underlay) {
        if (Objects.equals(underlays.get(nodeName), underlay)) {
            return Set.of();
        }
        if (underlay == null) {
            underlays.remove(nodeName);
        } else {
            underlays.put(nodeName, underlay);
        }
        Set<String> touched = new HashSet<>();
        for (Endpoint endpoint : endpoints.values()) {
            if (nodeName.equals(endpoint.node()) && networks.containsKey(endpoint.networkId())) {
                touched.add(endpoint.networkId());
            }
        }
        return touched;
    }

    public boolean isOverlay(String networkId) {
        return networks.containsKey(networkId);
    }

    public Network network(String networkId) {
        return networks.get(networkId);
    }

    public Set<String> networks() {
        return Set.copyOf(networks.keySet());
    }

    /** True while this node has at least one endpoint on the overlay network. */
    public boolean neededHere(String networkId) {
        return networks.containsKey(networkId) && endpoints.values().stream()
                .anyMatch(e -> networkId.equals(e.networkId()) && node.equals(e.node()));
    }

    /** The network's endpoints on other nodes whose underlay address is known (with a MAC). */
    public List<OverlayPeer> peers(String networkId) {
        return endpoints.values().stream()
                .filter(e -> networkId.equals(e.networkId()) && e.node() != null && !node.equals(e.node()))
                .filter(e -> e.mac() != null && underlays.containsKey(e.node()))
                .map(e -> new OverlayPeer(e.id(), e.mac(), ipv4(e), underlays.get(e.node())))
                .toList();
    }

    private static Inet4Address ipv4(Endpoint endpoint) {
        if (endpoint.addresses() == null) {
            return null;
        }
        for (EndpointAddress address : endpoint.addresses()) {
            if (address.family() == Family.ipv4 && address.address() != null) {
                String literal = address.address().contains("/")
                        ? address.address().substring(0, address.address().indexOf('/')) : address.address();
                if (Cidr.literal(literal) instanceof Inet4Address ipv4) {
                    return ipv4;
                }
            }
        }
        return null;
    }
}
