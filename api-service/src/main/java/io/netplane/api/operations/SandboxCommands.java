package io.netplane.api.operations;

import io.netplane.api.readmodel.EndpointEntry;
import io.netplane.api.readmodel.NetworkCatalog;
import io.netplane.api.readmodel.NetworkEntry;
import io.netplane.api.readmodel.NetworkLookupException;
import io.netplane.api.readmodel.NodeLiveness;
import io.netplane.api.readmodel.OperationEntry;
import io.netplane.api.readmodel.SandboxCatalog;
import io.netplane.api.readmodel.SandboxEntry;
import io.netplane.api.readmodel.SandboxView;
import io.netplane.api.waiting.EndpointConnectWaiter;
import io.netplane.api.waiting.Outcome;
import io.netplane.api.waiting.RemovalWaiter;
import io.netplane.api.waiting.SandboxCreateWaiter;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxRemoveRequested;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Creates and removes sandboxes and connects and disconnects them, for any API: validates what needs no
 * allocation, picks the node, publishes the intent (keyed by the sandbox id, so one sandbox's intents stay
 * in order) and, unless asked not to, waits for ipam's answer and the node's status.
 */
@ApplicationScoped
public class SandboxCommands {
    /** The sandbox has its own namespace and one veth endpoint per network. */
    static final String BRIDGE_MODE = "bridge";
    static final String HOST_MODE = "host";
    static final String NONE_MODE = "none";
    static final String CONTAINER_MODE = "container";
    static final String CONTAINER_PREFIX = "container:";
    // Docker's wording (daemon and CLI) for the modes that share or skip a namespace
    static final String HOST_PORTS_DISCARDED = "Published ports are discarded when using host network mode";
    static final String CONFLICT_PORTS = "conflicting options: port publishing and the container type network mode";
    static final String CONFLICT_HOSTNAME = "conflicting options: hostname and the network mode";
    static final String CONFLICT_DNS = "conflicting options: dns and the network mode";
    static final String SHARED_NETNS = "container sharing network namespace with another container or host "
            + "cannot be connected to any other network";
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    @Inject
    SandboxCatalog sandboxes;
    @Inject
    NetworkCatalog networks;
    @Inject
    NodeLiveness liveness;
    @Inject
    OperationLog operations;
    @Inject
    IntentCalls calls;

    public CallResult create(SandboxRequest request, String actor, CallOptions call) {
        String name = request.name();
        if (name == null || name.isEmpty()) {
            throw new ApiException(400, "sandbox name is required");
        }
        if (!NetworkCommands.NAME.matcher(name).matches()) {
            // Docker's wording for a container name
            throw new ApiException(400, "Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        List<PortBinding> ports = ports(request.ports());
        checkAddress(request.ipv4Address());
        List<String> dns = dnsList(request.dns());
        List<String> dnsSearch = dnsList(request.dnsSearch());
        List<String> dnsOptions = dnsList(request.dnsOptions());
        for (String server : dns) {
            if (!IPV4.matcher(server).matches() && !(server.contains(":") && server.matches("[0-9a-fA-F:.]+"))) {
                throw new ApiException(400, server + " is not an ip address"); // the docker CLI's wording
            }
        }
        sandboxes.nameHolder(name).ifPresent(holder -> {
            throw new ApiException(409, "Conflict. The container name \"/" + name + "\" is already in use by container \""
                    + holder + "\". You have to remove (or rename) that container to be able to reuse that name.");
        });
        String requested = request.network() == null || request.network().isEmpty() ? "bridge" : request.network();
        String mode = BRIDGE_MODE;
        String containerOf = null;
        String node;
        String hostname = request.hostname() == null || request.hostname().isEmpty() ? null : request.hostname();
        List<String> warnings = new ArrayList<>();
        NetworkEntry network = null;
        if (requested.startsWith(CONTAINER_PREFIX)) {
            mode = CONTAINER_MODE;
            if (!ports.isEmpty()) {
                throw new ApiException(400, CONFLICT_PORTS);
            }
            if (hostname != null) {
                throw new ApiException(400, CONFLICT_HOSTNAME);
            }
            // Docker refuses --dns only and ignores --dns-search/--dns-option here; netplane refuses all three
            if (!dns.isEmpty() || !dnsSearch.isEmpty() || !dnsOptions.isEmpty()) {
                throw new ApiException(400, CONFLICT_DNS);
            }
            SandboxEntry other = sandbox(requested.substring(CONTAINER_PREFIX.length()));
            if (!BRIDGE_MODE.equals(other.mode) && !NONE_MODE.equals(other.mode)) {
                // one hop only: the namespace belongs to a sandbox that owns one
                throw new ApiException(400, "cannot join the network namespace of container " + other.name
                        + ": it is in " + other.mode + " network mode");
            }
            containerOf = other.id;
            hostname = other.hostname; // Docker: the sharer sees the other container's hostname
            node = sameNode(request.node(), other, name);
        } else {
            network = networks.lookup(requested);
            if (network.driver.equals("host")) {
                mode = HOST_MODE;
                if (!ports.isEmpty()) {
                    warnings.add(HOST_PORTS_DISCARDED);
                    ports = List.of();
                }
            } else if (network.driver.equals("null")) {
                mode = NONE_MODE;
            } else {
                checkJoinable(network);
            }
            node = node(request.node(), name);
        }
        if (!BRIDGE_MODE.equals(mode) && request.ipv4Address() != null && !request.ipv4Address().isEmpty()) {
            throw new ApiException(400, "user specified IP address is supported only when connecting to networks with user configured subnets");
        }

        String sandboxId = IntentCalls.newId();
        List<String> endpointIds = network != null && BRIDGE_MODE.equals(mode) ? List.of(IntentCalls.newId()) : List.of();
        if (hostname == null && HOST_MODE.equals(mode)) {
            hostname = liveness.hostname(node); // Docker: the host's own name (the node's name if it did not say)
        }
        if (hostname == null) {
            hostname = sandboxId.substring(0, 12); // Docker's default: the short id
        }
        List<EndpointRequest> endpoints = endpointIds.isEmpty() ? List.of()
                : List.of(new EndpointRequest(network.id, endpointIds.get(0), request.ipv4Address(), aliases(request.aliases())));
        Envelope intent = Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(sandboxId),
                new SandboxCreateRequested(sandboxId, name, node, mode, hostname, containerOf, endpoints, ports, dns,
                        dnsSearch, dnsOptions), actor);
        operations.open(intent.correlationId(), OperationEntry.CREATE_SANDBOX, sandboxId, name, actor,
                network == null ? null : network.id, endpointIds, call);
        SandboxCreateWaiter waiter = new SandboxCreateWaiter(intent.correlationId(), sandboxId, node, endpointIds);
        Outcome outcome = calls.publishAndWait(intent, waiter, call);
        if (outcome == null) {
            return calls.pending(intent.correlationId(), call, "sandbox create " + name);
        }
        calls.catchUp(outcome); // for a failure: the compensating remove is out once the projection has it
        if (!outcome.succeeded()) {
            return new CallResult(outcome.status(), intent.correlationId(), outcome.message(), null);
        }
        SandboxView view = sandboxes.viewById(sandboxId)
                .orElseGet(() -> sandboxes.viewOf(waiter.scheduled(), waiter.allocated()));
        return new CallResult(201, intent.correlationId(), null, warnings.isEmpty() ? view : view.withWarnings(warnings));
    }

    public CallResult remove(String ref, String actor, CallOptions call) {
        return remove(ref, false, actor, call);
    }

    /** Unless forced, a sandbox whose namespace others share (container mode) stays: they would lose their network. */
    public CallResult remove(String ref, boolean force, String actor, CallOptions call) {
        SandboxEntry sandbox = sandboxes.lookup(ref);
        List<String> sharers = sandboxes.sharers(sandbox.id);
        if (!force && !sharers.isEmpty()) {
            throw new ApiException(409, "cannot remove container " + sandbox.name + ": its network namespace is shared by "
                    + String.join(", ", sharers) + " (network mode container:" + sandbox.name
                    + "); remove them first or force the removal");
        }
        boolean mustClear = sandboxes.builtOn(sandbox.id, liveness.readyNodes());
        Envelope intent = Envelope.of(EventType.SANDBOX_REMOVE_REQUESTED, Subject.sandbox(sandbox.id),
                new SandboxRemoveRequested(sandbox.id), actor);
        operations.open(intent.correlationId(), OperationEntry.REMOVE_SANDBOX, sandbox.id, sandbox.name, actor, null, null, call);
        RemovalWaiter waiter = RemovalWaiter.sandbox(intent.correlationId(), sandbox.id, sandbox.node, mustClear,
                liveness::readyNodes);
        Outcome outcome = calls.publishAndWait(intent, waiter, call);
        if (outcome == null) {
            return calls.pending(intent.correlationId(), call, "sandbox remove " + sandbox.name);
        }
        calls.catchUp(outcome);
        return new CallResult(outcome.status(), intent.correlationId(), outcome.message(), null);
    }

    public CallResult connect(String networkRef, String sandboxRef, String ipv4Address, List<String> aliases,
                              String actor, CallOptions call) {
        return connect(networkRef, sandboxRef, ipv4Address, aliases, actor, call, true);
    }

    /** {@code withView}: answer with the sandbox as the read model shows it; without, at once on the outcome. */
    public CallResult connect(String networkRef, String sandboxRef, String ipv4Address, List<String> aliases,
                              String actor, CallOptions call, boolean withView) {
        String endpointId = IntentCalls.newId();
        // plain reads and the operation row in a statement of its own, no transaction: on every connect's path. No
        // wait for the sandbox's answers given ahead: a connect reads nothing they change (ipam, which decides, has
        // them all). Both in one query when named exactly; else Docker looks at the container before the network
        SandboxCatalog.SandboxAndNetwork found = sandboxes.exactly(sandboxRef, networkRef)
                .orElseGet(() -> new SandboxCatalog.SandboxAndNetwork(sandbox(sandboxRef), networkForEndpoint(networkRef)));
        SandboxEntry sandbox = found.sandbox();
        NetworkEntry network = found.network();
        if (HOST_MODE.equals(sandbox.mode) || CONTAINER_MODE.equals(sandbox.mode)) {
            throw new ApiException(400, SHARED_NETNS);
        }
        if (network.driver.equals("host")) {
            throw new ApiException(400, "container cannot be disconnected from host network or connected to host network");
        }
        if (network.driver.equals("null")) {
            throw new ApiException(400, "container cannot be connected to multiple networks with one of the networks "
                    + "in private (none) mode");
        }
        checkJoinable(network);
        checkAddress(ipv4Address);
        Envelope intent = Envelope.of(EventType.ENDPOINT_CONNECT_REQUESTED, Subject.sandbox(sandbox.id),
                new EndpointConnectRequested(sandbox.id, network.id, endpointId, ipv4Address, aliases(aliases)), actor);
        open(intent, OperationEntry.CONNECT_ENDPOINT, sandbox, network, endpointId, actor, call);
        EndpointConnectWaiter waiter = new EndpointConnectWaiter(intent.correlationId(), sandbox.id, endpointId,
                sandbox.node);
        Outcome outcome = calls.publishAndWait(intent, waiter, call);
        if (outcome == null) {
            return calls.pending(intent.correlationId(), call, "connect " + sandbox.name + " to " + network.name);
        }
        if (!withView && outcome.succeeded()) {
            calls.answerAhead(sandbox.id, outcome);
            return new CallResult(200, intent.correlationId(), null, null);
        }
        calls.catchUp(outcome);
        if (!outcome.succeeded()) {
            return new CallResult(outcome.status(), intent.correlationId(), outcome.message(), null);
        }
        return new CallResult(200, intent.correlationId(), null, sandboxes.viewById(sandbox.id).orElse(null));
    }

    public CallResult disconnect(String networkRef, String sandboxRef, boolean force, String actor, CallOptions call) {
        return disconnect(networkRef, sandboxRef, force, actor, call, true);
    }

    /** {@code withView}: as for {@link #connect}. */
    public CallResult disconnect(String networkRef, String sandboxRef, boolean force, String actor, CallOptions call,
                                 boolean withView) {
        SandboxEntry sandbox = sandbox(sandboxRef);
        calls.readAfterAnswersOn(sandbox.id);
        // as connect's: plain reads, the network and the endpoint in one query when the network is named exactly
        SandboxCatalog.NetworkAttachment found = sandboxes.attachmentOn(sandbox.id, networkRef).orElseGet(() -> {
            NetworkEntry named = networkForEndpoint(networkRef);
            return new SandboxCatalog.NetworkAttachment(named, sandboxes.attachment(sandbox.id, named.id));
        });
        NetworkEntry network = found.network();
        if (network.driver.equals("host")) {
            throw new ApiException(400, "container cannot be disconnected from host network or connected to host network");
        }
        SandboxCatalog.Attachment attached = found.attachment().orElseThrow(() ->
                new ApiException(400, "container " + sandbox.id + " is not connected to network " + network.name));
        EndpointEntry endpoint = attached.endpoint();
        boolean mustClear = attached.builtOn(liveness.readyNodes());
        Envelope intent = Envelope.of(EventType.ENDPOINT_DISCONNECT_REQUESTED, Subject.sandbox(sandbox.id),
                new EndpointDisconnectRequested(sandbox.id, network.id, force), actor);
        open(intent, OperationEntry.DISCONNECT_ENDPOINT, sandbox, network, endpoint.id, actor, call);
        RemovalWaiter waiter = RemovalWaiter.endpoint(intent.correlationId(), sandbox.id, endpoint.id,
                endpoint.node, mustClear, liveness::readyNodes);
        Outcome outcome = calls.publishAndWait(intent, waiter, call);
        if (outcome == null) {
            return calls.pending(intent.correlationId(), call, "disconnect " + sandbox.name + " from " + network.name);
        }
        if (!withView && outcome.succeeded()) {
            calls.answerAhead(sandbox.id, outcome);
            return new CallResult(200, intent.correlationId(), null, null);
        }
        calls.catchUp(outcome);
        if (!outcome.succeeded()) {
            return new CallResult(outcome.status(), intent.correlationId(), outcome.message(), null);
        }
        return new CallResult(200, intent.correlationId(), null, sandboxes.viewById(sandbox.id).orElse(null));
    }

    private SandboxEntry sandbox(String ref) {
        if (ref == null || ref.isEmpty()) {
            throw new ApiException(400, "invalid name or ID supplied: \"" + (ref == null ? "" : ref) + "\"");
        }
        return sandboxes.lookup(ref);
    }

    /** Docker's wording for connect and disconnect: {@code network 1 is ambiguous (2 matches found based on ID prefix)}. */
    private NetworkEntry networkForEndpoint(String ref) {
        try {
            return networks.lookup(ref);
        } catch (NetworkLookupException e) {
            throw new ApiException(e.notFound() ? 404 : 400, e.removeMessage());
        }
    }

    /** Bridge and overlay networks; host and none sandboxes come with their modes. */
    private static void checkJoinable(NetworkEntry network) {
        if (!network.driver.equals("bridge") && !network.driver.equals("overlay")) {
            throw new ApiException(400, "network " + network.name + " (driver " + network.driver
                    + "): only bridge and overlay networks can be joined");
        }
    }

    /** A sharer runs where the namespace it shares is: the other sandbox's node. */
    private static String sameNode(String requested, SandboxEntry other, String sandboxName) {
        if (requested != null && !requested.isEmpty() && !requested.equals(other.node)) {
            throw new ApiException(400, "sandbox " + sandboxName + " must run on node " + other.node
                    + " where container " + other.name + " is: they share one network namespace");
        }
        return other.node;
    }

    /** The requested node if it is ready, else the ready node with the fewest sandboxes. */
    private String node(String requested, String sandboxName) {
        Set<String> ready = liveness.readyNodes();
        if (requested != null && !requested.isEmpty()) {
            if (ready.contains(requested)) {
                return requested;
            }
            String state = liveness.state(requested).filter(st -> !st.equals(NodeLiveness.REMOVED))
                    .orElseThrow(() -> new ApiException(404, "node " + requested + " not found"));
            throw new ApiException(503, "node " + requested + " is " + state + ": it cannot run sandbox " + sandboxName);
        }
        return liveness.leastBusy(ready).orElseThrow(() -> new ApiException(503, "no node is ready to run sandbox "
                + sandboxName + ": start a node-agent (GET /api/v1/nodes lists the nodes and their state)"));
    }

    /** A dns list without blank entries (null = none). */
    private static List<String> dnsList(List<String> values) {
        return values == null ? List.of() : values.stream().filter(v -> v != null && !v.isBlank()).map(String::strip).toList();
    }

    private static void checkAddress(String ipv4Address) {
        if (ipv4Address != null && !ipv4Address.isEmpty() && !IPV4.matcher(ipv4Address).matches()) {
            throw new ApiException(400, "Invalid IPv4 address: " + ipv4Address);
        }
    }

    private static List<String> aliases(List<String> aliases) {
        return aliases == null ? List.of() : List.copyOf(aliases);
    }

    /** Docker's wording (go-connections' port parser) for each bad field. */
    static List<PortBinding> ports(List<SandboxRequest.Port> requested) {
        if (requested == null) {
            return List.of();
        }
        List<PortBinding> ports = new ArrayList<>();
        for (SandboxRequest.Port p : requested) {
            if (p == null) {
                throw new ApiException(400, "invalid port specification: null");
            }
            if (p.containerPort() == null || p.containerPort() < 1 || p.containerPort() > 65535) {
                throw new ApiException(400, "invalid containerPort: " + p.containerPort());
            }
            int hostPort = p.hostPort() == null ? 0 : p.hostPort();
            if (hostPort < 0 || hostPort > 65535) {
                throw new ApiException(400, "invalid hostPort: " + p.hostPort());
            }
            String protocol = p.protocol() == null || p.protocol().isEmpty() ? "tcp" : p.protocol().toLowerCase(Locale.ROOT);
            if (!PROTOCOLS.contains(protocol)) {
                throw new ApiException(400, "invalid proto: " + p.protocol());
            }
            String hostIp = p.hostIp() == null || p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp();
            if (!IPV4.matcher(hostIp).matches()) {
                throw new ApiException(400, "invalid IP address: " + p.hostIp());
            }
            ports.add(new PortBinding(protocol, hostIp, hostPort, p.containerPort()));
        }
        return ports;
    }

    /** A connect's or disconnect's operation: one statement of its own when the call waits (see OperationLog). */
    private void open(Envelope intent, String kind, SandboxEntry sandbox, NetworkEntry network, String endpointId,
                      String actor, CallOptions call) {
        if (call.async()) {
            operations.open(intent.correlationId(), kind, sandbox.id, sandbox.name, actor, network.id,
                    List.of(endpointId), call);
        } else {
            operations.openAlone(intent.correlationId(), kind, sandbox.id, sandbox.name, actor, network.id,
                    List.of(endpointId));
        }
    }
}
