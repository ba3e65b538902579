package io.netplane.api.readmodel;

import io.netplane.events.data.Family;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads networks from the read model: lookups as Docker resolves them, and the native view. */
@ApplicationScoped
public class NetworkCatalog {
    /** Ids are hex: only such a reference can be an id prefix (and '%' or '_' never act as wildcards). */
    static final java.util.regex.Pattern HEX = java.util.regex.Pattern.compile("[0-9a-f]+");

    @Inject
    NodeLiveness liveness;

    /** Docker's order: the full id, then an exact name, then a unique id prefix. */
    @Transactional
    public NetworkEntry lookup(String ref) {
        if (ref == null || ref.indexOf('\0') >= 0) { // PostgreSQL refuses NUL in text: no network has it
            throw NetworkLookupException.notFound(ref == null ? "" : ref.replace("\0", ""));
        }
        List<NetworkEntry> byName = new ArrayList<>();
        for (NetworkEntry n : NetworkEntry.liveByIdOrName(ref)) {
            if (n.id.equals(ref)) {
                return n;
            }
            byName.add(n);
        }
        if (byName.size() == 1) {
            return byName.get(0);
        }
        if (byName.size() > 1) {
            throw NetworkLookupException.ambiguous(ref, byName.size(), NetworkLookupException.Basis.NAME);
        }
        List<NetworkEntry> byPrefix = HEX.matcher(ref).matches() ? NetworkEntry.liveByIdPrefix(ref) : List.of();
        if (byPrefix.size() == 1) {
            return byPrefix.get(0);
        }
        if (byPrefix.size() > 1) {
            throw NetworkLookupException.ambiguous(ref, byPrefix.size(), NetworkLookupException.Basis.ID_PREFIX);
        }
        throw NetworkLookupException.notFound(ref);
    }

    @Transactional
    public boolean nameTaken(String name) {
        return !NetworkEntry.liveByName(name).isEmpty();
    }

    @Transactional
    public NetworkView view(String ref) {
        return view(lookup(ref), liveness.readyNodes());
    }

    @Transactional
    public Optional<NetworkView> viewById(String id) {
        NetworkEntry entry = NetworkEntry.findById(id);
        return entry == null ? Optional.empty() : Optional.of(view(entry, liveness.readyNodes()));
    }

    @Transactional
    public List<NetworkView> list() {
        Set<String> ready = liveness.readyNodes();
        return NetworkEntry.live().stream().map(n -> view((NetworkEntry) n, ready)).toList();
    }

    /** Custom networks without endpoints, oldest first: what a prune may remove. */
    @Transactional
    public List<NetworkEntry> unused() {
        return NetworkEntry.live().stream()
                .map(n -> (NetworkEntry) n)
                .filter(n -> !n.predefined && EndpointEntry.liveOnNetwork(n.id).isEmpty())
                .toList();
    }

    /** The nodes whose kernel holds the network now (ready), among those that are up. */
    @Transactional
    public Set<String> readyOn(String networkId, Set<String> readyNodes) {
        return Set.copyOf(NetworkNodeState.of(networkId).stream()
                .filter(s -> NetworkNodeState.READY.equals(s.state) && readyNodes.contains(s.node))
                .map(s -> s.node)
                .toList());
    }

    /** Needs a transaction (states are loaded). */
    public NetworkView view(NetworkEntry n, Set<String> readyNodes) {
        Map<String, NetworkView.NodeState> nodes = new LinkedHashMap<>();
        for (NetworkNodeState s : NetworkNodeState.of(n.id)) {
            nodes.put(s.node, new NetworkView.NodeState(s.state, s.bridge, s.ifindex, s.error));
        }
        // an overlay network is built on a node only when a sandbox there joins it: usable once created
        boolean nothingToBuild = "host".equals(n.driver) || "null".equals(n.driver) || "overlay".equals(n.driver);
        boolean ready = nothingToBuild || readyNodes.stream()
                .allMatch(node -> nodes.containsKey(node) && NetworkNodeState.READY.equals(nodes.get(node).state()));
        List<NetworkView.Subnet> subnets = JsonColumns.subnets(n.subnets).stream()
                .map(s -> new NetworkView.Subnet(s.family() == null ? null : s.family().name(), s.subnet(),
                        s.gateway(), s.ipRange()))
                .toList();
        Map<String, NetworkView.Container> containers = new LinkedHashMap<>();
        for (EndpointEntry e : EndpointEntry.liveOnNetwork(n.id)) {
            SandboxEntry sandbox = SandboxEntry.findById(e.sandboxId);
            String address = JsonColumns.addresses(e.addresses).stream()
                    .filter(a -> a.family() == null || a.family() == Family.ipv4)
                    .map(a -> a.address() + "/" + a.prefixLength()).findFirst().orElse("");
            containers.put(e.sandboxId, new NetworkView.Container(sandbox == null ? null : sandbox.name, e.id, e.mac,
                    address));
        }
        return new NetworkView(n.id, n.name, n.driver, n.scope, subnets, n.internal, n.attachable,
                JsonColumns.stringMap(n.options), JsonColumns.stringMap(n.labels), n.bridge, n.predefined,
                n.created, nodes, ready, containers);
    }
}
