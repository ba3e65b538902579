package io.netplane.ipam.allocation;

import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.ipam.pool.Ipv4Subnet;
import io.netplane.ipam.allocation.SandboxStore.EndpointRef;
import jakarta.enterprise.context.ApplicationScoped;
import org.postgresql.util.PSQLException;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Sandboxes and their endpoints in the caller's transaction (under the intent's savepoint, so a refusal
 * leaves nothing behind). Errors are Docker's (docker-facts 6.5, 6.6, 10).
 */
@ApplicationScoped
public class SandboxAllocator {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final String HOST_NETWORK = "container cannot be disconnected from host network or connected to host network";
    private static final String NONE_NETWORK = "container cannot be connected to multiple networks with one of the networks in private (none) mode";
    private static final String SHARED_NETNS = "container sharing network namespace with another container or host cannot be connected to any other network";

    /** A scheduled sandbox and its endpoints, in ifname order. */
    public record Scheduled(Sandbox sandbox, List<Endpoint> endpoints) {
    }

    public record Removed(Sandbox sandbox, List<EndpointRef> endpoints) {
    }

    private final SandboxStore store;
    private final NetworkStore networks;
    private final AddressAllocator addresses;
    private final PortAllocator ports;
    private final java.util.Map<String, Network> known = new java.util.concurrent.ConcurrentHashMap<>();

    public SandboxAllocator(SandboxStore store, NetworkStore networks, AddressAllocator addresses, PortAllocator ports) {
        this.store = store;
        this.networks = networks;
        this.addresses = addresses;
        this.ports = ports;
    }

    public Scheduled create(Connection c, SandboxCreateRequested r) throws SQLException {
        checkId("sandbox", r.sandboxId());
        if (r.name() == null || r.name().isBlank()) {
            throw new RejectedIntent(400, "invalid name: ");
        }
        if (r.node() == null || r.node().isBlank()) {
            throw new RejectedIntent(400, "sandbox " + r.name() + " has no node");
        }
        String mode = r.mode() == null || r.mode().isBlank() ? "bridge" : r.mode();
        List<EndpointRequest> wanted = r.networks() == null ? List.of() : r.networks();
        String netns = switch (mode) {
            case "bridge", "none" -> "np-" + r.sandboxId().substring(0, 12);
            case "host" -> null;
            case "container" -> sharedNetns(c, r.containerOf());
            default -> throw new RejectedIntent(400, "invalid network mode " + mode + ": bridge, host, none or container");
        };
        if (!wanted.isEmpty() && !mode.equals("bridge")) {
            throw new RejectedIntent(400, mode.equals("none") ? NONE_NETWORK : SHARED_NETNS);
        }
        Instant now = NetworkAllocator.now();
        Sandbox sandbox = new Sandbox(r.sandboxId(), r.name(), r.node(), mode, netns, r.hostname(), r.containerOf(),
                listOf(r.dns()), now, listOf(r.dnsSearch()), listOf(r.dnsOptions()));
        if (!store.insertIfNew(c, sandbox, wanted.size())) {
            throw taken(c, sandbox);
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            EndpointRequest e = wanted.get(i);
            // published ports are reachable through the first endpoint (the contract of round 2)
            endpoints.add(attach(c, sandbox, network(c, e.networkId()), e.endpointId(), "eth" + i, e.ipv4Address(),
                    e.aliases(), i == 0 ? r.ports() : List.of(), now));
        }
        return new Scheduled(sandbox, endpoints);
    }

    /**
     * Whether {@link #createAll} can take this request: bridge mode, no static address, no published ports, every
     * network known with an IPv4 subnet. Anything else (and every refusal) goes the one-by-one way.
     */
    public boolean plain(Connection c, SandboxCreateRequested r) throws SQLException {
        if (r.sandboxId() == null || !ID.matcher(r.sandboxId()).matches() || r.name() == null || r.name().isBlank()
                || r.node() == null || r.node().isBlank() || (r.ports() != null && !r.ports().isEmpty())
                || (r.mode() != null && !r.mode().isBlank() && !r.mode().equals("bridge"))) {
            return false;
        }
        for (EndpointRequest e : r.networks() == null ? List.<EndpointRequest>of() : r.networks()) {
            if (e.endpointId() == null || !ID.matcher(e.endpointId()).matches()
                    || (e.ipv4Address() != null && !e.ipv4Address().isBlank())) {
                return false;
            }
            if (joinableWithIpv4(c, e.networkId()).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Schedules {@link #plain} requests in a few statements for all of them (sandboxes, addresses, endpoints),
     * in request order, so a poll batch costs a handful of round trips however many sandboxes it holds. Any
     * refusal surfaces as an SQLException or RejectedIntent for the whole lot: the caller then goes one by one.
     */
    /** The request's dns list as the sandbox carries it (resolv.conf only: not stored, the agent needs it once). */
    private static List<String> listOf(List<String> values) {
        return values == null ? List.of() : List.copyOf(values);
    }

    public List<Scheduled> createAll(Connection c, List<SandboxCreateRequested> requests) throws SQLException {
        Instant now = NetworkAllocator.now();
        List<Sandbox> sandboxes = new ArrayList<>(requests.size());
        List<String> networkIds = new ArrayList<>();
        for (SandboxCreateRequested r : requests) {
            sandboxes.add(new Sandbox(r.sandboxId(), r.name(), r.node(), "bridge", "np-" + r.sandboxId().substring(0, 12),
                    r.hostname(), r.containerOf(), listOf(r.dns()), now, listOf(r.dnsSearch()), listOf(r.dnsOptions())));
            for (EndpointRequest e : r.networks() == null ? List.<EndpointRequest>of() : r.networks()) {
                networkIds.add(network(c, e.networkId()).id());
            }
        }
        store.insertAll(c, sandboxes, requests.stream().map(r -> r.networks() == null ? 0 : r.networks().size()).toList());
        List<String> taken = store.allocateAll(c, networkIds);
        List<Endpoint> endpoints = new ArrayList<>(networkIds.size());
        List<Scheduled> scheduled = new ArrayList<>(requests.size());
        int next = 0;
        for (int i = 0; i < requests.size(); i++) {
            SandboxCreateRequested r = requests.get(i);
            List<Endpoint> own = new ArrayList<>();
            List<EndpointRequest> wanted = r.networks() == null ? List.of() : r.networks();
            for (int k = 0; k < wanted.size(); k++, next++) {
                Network network = network(c, networkIds.get(next));
                String address = taken.get(next);
                if (address == null) {
                    throw new RejectedIntent(409, "no available IPv4 addresses on this network's address pools: "
                            + network.name() + " (" + network.id() + ")");
                }
                SubnetAllocation s = ipv4(network).orElseThrow();
                EndpointRequest e = wanted.get(k);
                own.add(new Endpoint(e.endpointId(), r.sandboxId(), network.id(), r.node(), "eth" + k,
                        List.of(new EndpointAddress(Family.ipv4, address, Ipv4Subnet.parse(s.subnet()).prefix(), s.gateway())),
                        AddressAllocator.mac(address), List.of(), e.aliases() == null ? List.of() : e.aliases(), now));
            }
            endpoints.addAll(own);
            scheduled.add(new Scheduled(sandboxes.get(i), own));
        }
        store.insertAll(c, endpoints);
        return scheduled;
    }

    /** A known network an endpoint can join (not host, not none) with an IPv4 subnet; empty for any other. */
    private Optional<Network> joinableWithIpv4(Connection c, String networkRef) throws SQLException {
        Network network;
        try {
            network = network(c, networkRef);
        } catch (RejectedIntent unknown) {
            return Optional.empty();
        }
        boolean joinable = !network.driver().equals("host") && !network.driver().equals("null");
        return joinable && ipv4(network).isPresent() ? Optional.of(network) : Optional.empty();
    }

    private static Optional<SubnetAllocation> ipv4(Network network) {
        return network.subnets().stream().filter(s -> s.family() == Family.ipv4).findFirst();
    }

    /** The sandbox id or its name is taken (Docker: 409 for a name in use). */
    private RejectedIntent taken(Connection c, Sandbox sandbox) throws SQLException {
        if (store.find(c, sandbox.id()).isPresent()) {
            return new RejectedIntent(409, "sandbox " + sandbox.id() + " already exists");
        }
        String holder = store.idByName(c, sandbox.name()).orElse("");
        String name = sandbox.name().startsWith("/") ? sandbox.name() : "/" + sandbox.name();
        return new RejectedIntent(409, "Conflict. The container name \"" + name + "\" is already in use by container \""
                + holder + "\". You have to remove (or rename) that container to be able to reuse that name.");
    }

    public Removed remove(Connection c, String sandboxId) throws SQLException {
        Sandbox sandbox = sandbox(c, sandboxId);
        List<EndpointRef> endpoints = store.endpointsOf(c, sandbox.id());
        for (EndpointRef e : endpoints) {
            store.delete(c, e);
        }
        store.deleteSandbox(c, sandbox.id());
        return new Removed(sandbox, endpoints);
    }

    /** Every sandbox on {@code node}, with its endpoints, addresses and host ports (the node is gone for good). */
    public List<Removed> removeAllOn(Connection c, String node) throws SQLException {
        if (node == null || node.isBlank()) {
            throw new RejectedIntent(400, "remove node: no node name");
        }
        List<Removed> removed = new ArrayList<>();
        for (String id : store.sandboxIdsOn(c, node)) {
            removed.add(remove(c, id));
        }
        return removed;
    }

    public Endpoint connect(Connection c, EndpointConnectRequested r) throws SQLException {
        Sandbox sandbox = sandbox(c, r.sandboxId()); // Docker checks the container first
        Network network = network(c, r.networkId());
        switch (sandbox.mode()) {
            case "none" -> throw new RejectedIntent(400, NONE_NETWORK);
            case "host", "container" -> throw new RejectedIntent(400, SHARED_NETNS);
            default -> { }
        }
        if (store.endpoint(c, sandbox.id(), network.id()).isPresent()) {
            throw alreadyConnected(sandbox, network); // before the address checks, as Docker
        }
        return attach(c, sandbox, network, r.endpointId(), "eth" + store.takeIfindex(c, sandbox.id()),
                r.ipv4Address(), r.aliases(), List.of(), NetworkAllocator.now());
    }

    /**
     * A connect with nothing to decide but what the database holds (an automatic address on a network with an
     * IPv4 subnet), in one round trip; null when it is not one, or the database finds something to refuse: then
     * {@link #connect} goes step by step and says what is wrong.
     */
    public Endpoint connectPlain(Connection c, EndpointConnectRequested r) throws SQLException {
        if (r.sandboxId() == null || !ID.matcher(r.sandboxId()).matches() || r.endpointId() == null
                || !ID.matcher(r.endpointId()).matches() || (r.ipv4Address() != null && !r.ipv4Address().isBlank())) {
            return null;
        }
        Network network = joinableWithIpv4(c, r.networkId()).orElse(null);
        if (network == null) {
            return null;
        }
        SubnetAllocation s = ipv4(network).orElseThrow();
        int prefix = Ipv4Subnet.parse(s.subnet()).prefix();
        List<String> aliases = r.aliases() == null ? List.of() : r.aliases();
        Instant now = NetworkAllocator.now();
        return store.connect(c, r.sandboxId(), network.id(), r.endpointId(), prefix, s.gateway(), aliases, now)
                .map(made -> new Endpoint(r.endpointId(), r.sandboxId(), network.id(), made.node(), made.ifname(),
                        List.of(new EndpointAddress(Family.ipv4, made.address(), prefix, s.gateway())), made.mac(),
                        List.of(), aliases, now))
                .orElse(null);
    }

    public EndpointRef disconnect(Connection c, EndpointDisconnectRequested r) throws SQLException {
        // the common case in one round trip: the endpoint is there, so its sandbox is too
        Network known = null;
        if (r.sandboxId() != null) {
            try {
                known = network(c, r.networkId());
            } catch (RejectedIntent unknown) {
                // Docker names a missing container before a missing network: the checks below
            }
        }
        if (known != null) {
            Optional<EndpointRef> gone = store.disconnect(c, r.sandboxId(), known.id());
            if (gone.isPresent()) {
                return gone.get();
            }
        }
        Sandbox sandbox = sandbox(c, r.sandboxId());
        Network network = known != null ? known : network(c, r.networkId());
        if (known == null) { // found only now (created meanwhile): not tried above
            Optional<EndpointRef> gone = store.disconnect(c, sandbox.id(), network.id());
            if (gone.isPresent()) {
                return gone.get();
            }
        }
        throw new RejectedIntent(400, "container " + sandbox.id() + " is not connected to network " + network.name());
    }

    private Endpoint attach(Connection c, Sandbox sandbox, Network network, String endpointId, String ifname,
                            String ipv4Address, List<String> aliases, List<PortBinding> published, Instant now)
            throws SQLException {
        checkId("endpoint", endpointId);
        switch (network.driver()) {
            case "host" -> throw new RejectedIntent(400, HOST_NETWORK);
            case "null" -> throw new RejectedIntent(400, NONE_NETWORK);
            default -> { }
        }
        Optional<EndpointAddress> address;
        try {
            address = addresses.assign(c, network, ipv4Address);
        } catch (AddressAllocator.NetworkGone gone) {
            forget(network.id());
            throw gone;
        }
        String mac = address.map(a -> AddressAllocator.mac(a.address())).orElse(null);
        Endpoint endpoint = new Endpoint(endpointId, sandbox.id(), network.id(), sandbox.node(), ifname,
                address.stream().toList(), mac, List.of(), aliases == null ? List.of() : aliases, now);
        try {
            store.insert(c, endpoint);
        } catch (SQLException e) {
            throw refusal(e, sandbox, network, endpoint);
        }
        List<PortBinding> bound = ports.bind(c, sandbox.node(), endpointId, published);
        return bound.isEmpty() ? endpoint : new Endpoint(endpoint.id(), endpoint.sandboxId(), endpoint.networkId(),
                endpoint.node(), endpoint.ifname(), endpoint.addresses(), endpoint.mac(), bound, endpoint.aliases(),
                endpoint.created());
    }

    private Sandbox sandbox(Connection c, String id) throws SQLException {
        return store.find(c, id == null ? "" : id)
                .orElseThrow(() -> new RejectedIntent(404, "No such container: " + id));
    }

    /**
     * By id, then by name (api-service sends ids; a name is accepted as Docker does). A network never changes
     * once created, so ids are cached; one removed meanwhile is caught by the address cursor or the foreign key.
     */
    private Network network(Connection c, String idOrName) throws SQLException {
        String key = idOrName == null ? "" : idOrName;
        Network cached = known.get(key);
        if (cached != null) {
            return cached;
        }
        Optional<Network> network = key.length() == 64 ? networks.find(c, key) : Optional.empty();
        if (network.isEmpty()) {
            network = networks.findByName(c, key);
        }
        Network found = network.orElseThrow(() -> new RejectedIntent(404, "network " + key + " not found"));
        if (known.size() > 10_000) {
            known.clear();
        }
        known.put(found.id(), found);
        return found;
    }

    /** Called when a network is removed here; other replicas find out through the database. */
    public void forget(String networkId) {
        known.remove(networkId);
    }

    private String sharedNetns(Connection c, String containerOf) throws SQLException {
        Sandbox other = sandbox(c, containerOf);
        return other.netns();
    }

    private static void checkId(String kind, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new RejectedIntent(400, "invalid " + kind + " id " + id + ": 64 lowercase hex characters expected");
        }
    }

    private static RejectedIntent alreadyConnected(Sandbox sandbox, Network network) {
        return new RejectedIntent(403, "endpoint with name " + sandbox.name() + " already exists in network "
                + network.name());
    }

    private static RejectedIntent refusal(SQLException e, Sandbox sandbox, Network network, Endpoint endpoint)
            throws SQLException {
        if ("23503".equals(e.getSQLState())) {
            return new AddressAllocator.NetworkGone(network); // removed meanwhile (a network without subnet)
        }
        if ("23505".equals(e.getSQLState()) && e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            String constraint = String.valueOf(p.getServerErrorMessage().getConstraint());
            switch (constraint) {
                case "endpoints_address_key":
                    return new RejectedIntent(403, AddressAllocator.IN_USE);
                case "endpoints_sandbox_id_network_id_key":
                    return alreadyConnected(sandbox, network);
                case "endpoints_pkey":
                    return new RejectedIntent(409, "endpoint " + endpoint.id() + " already exists");
                default:
                    break;
            }
        }
        throw e;
    }
}
