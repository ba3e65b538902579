package io.netplane.api.readmodel;

import io.netplane.events.data.Endpoint;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Sandbox;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads sandboxes and endpoints from the read model: lookups as Docker resolves containers, and the native view. */
@ApplicationScoped
public class SandboxCatalog {
    /** How long a create that ipam has not answered yet keeps its name (a lost intent must not hold it forever). */
    private static final Duration NAME_HOLD = Duration.ofMinutes(2);

    /**
     * Docker's order: the full id, then an exact name, then a unique id prefix. In the caller's transaction if it
     * has one; else a plain read, no transaction of its own (a disconnect looks up its sandbox before it waits for
     * the read model: a commit less on every disconnect's path).
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public SandboxEntry lookup(String ref) {
        if (ref == null || ref.isEmpty() || ref.indexOf('\0') >= 0) { // PostgreSQL refuses NUL in text
            throw SandboxLookupException.notFound(ref == null ? "" : ref.replace("\0", ""));
        }
        List<SandboxEntry> byIdOrName = SandboxEntry.liveByIdOrName(ref);
        for (SandboxEntry s : byIdOrName) {
            if (s.id.equals(ref)) {
                return s;
            }
        }
        if (!byIdOrName.isEmpty()) {
            return byIdOrName.get(0);
        }
        List<SandboxEntry> byPrefix = NetworkCatalog.HEX.matcher(ref).matches() ? SandboxEntry.liveByIdPrefix(ref)
                : List.of();
        if (byPrefix.size() == 1) {
            return byPrefix.get(0);
        }
        if (byPrefix.size() > 1) {
            throw SandboxLookupException.ambiguous(ref);
        }
        throw SandboxLookupException.notFound(ref);
    }

    /**
     * The id of the sandbox that holds {@code name}: a live one, or one whose create ipam has not
     * answered yet (so two quick creates of one name do not both go through).
     */
    @Transactional
    public Optional<String> nameHolder(String name) {
        List<SandboxEntry> live = SandboxEntry.liveByName(name);
        if (!live.isEmpty()) {
            return Optional.of(live.get(0).id);
        }
        return OperationEntry.<OperationEntry>list("kind = ?1 and targetName = ?2 and state in ?3 and created > ?4",
                        OperationEntry.CREATE_SANDBOX, name, List.of(OperationEntry.PENDING, OperationEntry.TIMEOUT),
                        Instant.now().minus(NAME_HOLD)).stream()
                .filter(op -> {
                    SandboxEntry s = SandboxEntry.findById(op.target);
                    return s == null || s.removed == null;
                })
                .map(op -> op.target).findFirst();
    }

    @Transactional
    public SandboxView view(String ref) {
        return view(lookup(ref));
    }

    @Transactional
    public Optional<SandboxView> viewById(String id) {
        SandboxEntry entry = SandboxEntry.findById(id);
        return entry == null || entry.removed != null ? Optional.empty() : Optional.of(view(entry));
    }

    @Transactional
    public List<SandboxView> list() {
        return SandboxEntry.live().stream().map(this::view).toList();
    }

    /** The names of the live sandboxes that share this one's namespace (container mode). */
    @Transactional
    public List<String> sharers(String sandboxId) {
        return SandboxEntry.<SandboxEntry>list("containerOf = ?1 and removed is null order by created, id", sandboxId)
                .stream().map(s -> s.name).toList();
    }

    /** A live endpoint and what its node last reported of it (null: nothing yet). */
    public record Attachment(EndpointEntry endpoint, EndpointNodeState status) {
        /** Whether its node holds it built now (reported ready) and is up to report its removal. */
        public boolean builtOn(Set<String> readyNodes) {
            return status != null && status.builtOn(readyNodes);
        }
    }

    /** The live endpoint of the sandbox on the network with its node's report, in one query (a disconnect's). */
    @Transactional
    public Optional<Attachment> attachment(String sandboxId, String networkId) {
        return Panache.getEntityManager().createQuery("select e, s from EndpointEntry e left join EndpointNodeState s "
                        + "on s.endpointId = e.id where e.sandboxId = ?1 and e.networkId = ?2 and e.released is null",
                        Object[].class)
                .setParameter(1, sandboxId).setParameter(2, networkId).setMaxResults(1).getResultStream().findFirst()
                .map(row -> new Attachment((EndpointEntry) row[0], (EndpointNodeState) row[1]));
    }

    /** Whether the sandbox's node holds it built now (reported ready) and is up to report its removal. */
    @Transactional
    public boolean builtOn(String sandboxId, Set<String> readyNodes) {
        SandboxNodeState s = SandboxNodeState.findById(sandboxId);
        return s != null && SandboxNodeState.READY.equals(s.state) && readyNodes.contains(s.node);
    }

    /** A connect's sandbox and network. */
    public record SandboxAndNetwork(SandboxEntry sandbox, NetworkEntry network) {
    }

    /**
     * The live sandbox and network that two references name exactly (an id or a name), in one query, resolved as
     * {@link #lookup} and {@link NetworkCatalog#lookup} resolve them; empty when either names none that way, or the
     * network's name is ambiguous: then each lookup on its own says what is wrong. A plain read outside a transaction.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<SandboxAndNetwork> exactly(String sandboxRef, String networkRef) {
        if (sandboxRef == null || sandboxRef.isEmpty() || sandboxRef.indexOf('\0') >= 0 || networkRef == null
                || networkRef.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        Map<String, SandboxEntry> found = new LinkedHashMap<>();
        Map<String, NetworkEntry> networks = new LinkedHashMap<>();
        Panache.getEntityManager().createQuery("select s, n from SandboxEntry s, NetworkEntry n "
                        + "where (s.id = ?1 or s.name = ?1) and s.removed is null "
                        + "and (n.id = ?2 or n.name = ?2) and n.removed is null", Object[].class)
                .setParameter(1, sandboxRef).setParameter(2, networkRef).getResultStream().forEach(row -> {
                    SandboxEntry sandbox = (SandboxEntry) row[0];
                    NetworkEntry network = (NetworkEntry) row[1];
                    found.putIfAbsent(sandbox.id, sandbox);
                    networks.putIfAbsent(network.id, network);
                });
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SandboxEntry sandbox = found.getOrDefault(sandboxRef, found.values().iterator().next());
        return exactNetwork(networks, networkRef).map(network -> new SandboxAndNetwork(sandbox, network));
    }

    /** A disconnect's network and the sandbox's live endpoint on it, with its node's report (null: nothing yet). */
    public record NetworkAttachment(NetworkEntry network, Optional<Attachment> attachment) {
    }

    /**
     * The live network a reference names exactly (as {@link #exactly}) and the sandbox's live endpoint on it, in one
     * query; empty when the reference names no network exactly, or an ambiguous name. A plain read outside a
     * transaction.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<NetworkAttachment> attachmentOn(String sandboxId, String networkRef) {
        if (networkRef == null || networkRef.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        Map<String, NetworkEntry> networks = new LinkedHashMap<>();
        Map<String, Attachment> attachments = new LinkedHashMap<>();
        Panache.getEntityManager().createQuery("select n, e, s from NetworkEntry n left join EndpointEntry e "
                        + "on e.networkId = n.id and e.sandboxId = ?1 and e.released is null "
                        + "left join EndpointNodeState s on s.endpointId = e.id "
                        + "where (n.id = ?2 or n.name = ?2) and n.removed is null", Object[].class)
                .setParameter(1, sandboxId).setParameter(2, networkRef).getResultStream().forEach(row -> {
                    NetworkEntry network = (NetworkEntry) row[0];
                    networks.putIfAbsent(network.id, network);
                    if (row[1] != null) {
                        attachments.putIfAbsent(network.id, new Attachment((EndpointEntry) row[1],
                                (EndpointNodeState) row[2]));
                    }
                });
        return exactNetwork(networks, networkRef)
                .map(network -> new NetworkAttachment(network, Optional.ofNullable(attachments.get(network.id))));
    }

    /** {@link NetworkCatalog#lookup}'s first two rules: the full id, then a name only one network has. */
    private static Optional<NetworkEntry> exactNetwork(Map<String, NetworkEntry> byId, String ref) {
        NetworkEntry network = byId.get(ref);
        if (network == null && byId.size() == 1) {
            network = byId.values().iterator().next();
        }
        return Optional.ofNullable(network);
    }

    /** Whether the endpoint's node holds it built now (reported ready) and is up to report its removal. */
    @Transactional
    public boolean endpointBuiltOn(String endpointId, Set<String> readyNodes) {
        EndpointNodeState s = EndpointNodeState.findById(endpointId);
        return s != null && s.builtOn(readyNodes);
    }

    /** Needs a transaction. */
    public SandboxView view(SandboxEntry s) {
        SandboxNodeState status = SandboxNodeState.findById(s.id);
        Map<String, SandboxView.Attachment> networks = new LinkedHashMap<>();
        List<PortBinding> ports = new ArrayList<>();
        List<String> endpointStates = new ArrayList<>();
        String error = status != null && SandboxNodeState.FAILED.equals(status.state) ? status.error : null;
        for (EndpointEntry e : EndpointEntry.liveOfSandbox(s.id)) {
            EndpointNodeState es = EndpointNodeState.findById(e.id);
            String state = es == null || !e.node.equals(es.node) ? "allocated" : es.state;
            String endpointError = es != null && EndpointNodeState.FAILED.equals(es.state) ? es.error : null;
            endpointStates.add(state);
            if (error == null && endpointError != null) {
                error = endpointError;
            }
            networks.put(networkName(e.networkId), SandboxView.Attachment.of(e.networkId, e.id, e.ifname,
                    JsonColumns.addresses(e.addresses), e.mac, JsonColumns.stringList(e.aliases), state, endpointError));
            ports.addAll(JsonColumns.ports(e.ports));
        }
        String sandboxState = status == null || !s.node.equals(status.node) ? null : status.state;
        // host mode: ipam names no namespace; the node reports the name it gave the host's
        String netns = s.netns != null || sandboxState == null ? s.netns : status.netns;
        return new SandboxView(s.id, s.name, s.node, s.mode, netns, s.hostname, s.containerOf, networks, ports,
                SandboxView.state(sandboxState, endpointStates), error, s.created, null);
    }

    /** The view of ipam's records alone, ready (what a call saw decide it), for when the read model lags. */
    @Transactional
    public SandboxView viewOf(Sandbox s, List<Endpoint> endpoints) {
        Map<String, SandboxView.Attachment> networks = new LinkedHashMap<>();
        List<PortBinding> ports = new ArrayList<>();
        for (Endpoint e : endpoints) {
            networks.put(networkName(e.networkId()), SandboxView.Attachment.of(e.networkId(), e.id(), e.ifname(),
                    e.addresses(), e.mac(), e.aliases(), SandboxView.READY, null));
            ports.addAll(e.ports() == null ? List.of() : e.ports());
        }
        return new SandboxView(s.id(), s.name(), s.node(), s.mode(), s.netns(), s.hostname(), s.containerOf(), networks,
                ports, SandboxView.READY, null, s.created(), null);
    }

    public static String networkName(String networkId) {
        NetworkEntry n = NetworkEntry.findById(networkId);
        return n == null ? networkId : n.name;
    }
}
