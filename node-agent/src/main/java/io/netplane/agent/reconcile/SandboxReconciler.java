package io.netplane.agent.reconcile;

import io.netplane.agent.dataplane.DataplaneException;
import io.netplane.agent.dataplane.DefaultRoutes;
import io.netplane.agent.dataplane.EndpointAttacher;
import io.netplane.agent.dataplane.EndpointState;
import io.netplane.agent.dataplane.Firewall;
import io.netplane.agent.dataplane.NamespaceRecords;
import io.netplane.agent.dataplane.NetworkDataplane;
import io.netplane.agent.dataplane.SandboxDataplane;
import io.netplane.agent.dataplane.SandboxState;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.messaging.StatusPublisher;
import io.netplane.events.EventType;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Converges this node's sandboxes and endpoints to {@code desired}. It keeps the desired network, sandbox and
 * endpoint records (records of different partitions arrive in any order) and builds an endpoint once its
 * sandbox is built and its network is ready here. {@link #converge()} — after the list and then periodically —
 * rebuilds what is missing from the kernel and deletes what this node marked or recorded and is no longer
 * desired: veths with its endpoint mark, namespaces in its records, elements of its firewall table. A sandbox's
 * default route follows Docker's rule ({@link DefaultRoutes}) at every connect, disconnect and converge. Each
 * outcome becomes a status event (only when it changes). All kernel work runs on the {@link KernelThread}.
 */
public final class SandboxReconciler implements DesiredListener {
    private static final Logger LOG = Logger.getLogger(SandboxReconciler.class);
    /**
     * How long detached veths wait to be deleted in one batch (see EndpointAttacher.DETACHED_GROUP). Each batch
     * costs one teardown, ~20 ms however many veths it takes (20 veths: 20 ms with {@code ip link del group}, 475 ms
     * one by one). It runs beside the kernel thread, which meanwhile goes on attaching (rtnl is free again once the
     * devices are unlisted; the rest of the teardown waits outside it).
     */
    static final Duration DETACHED_DELETE_DELAY = Duration.ofMillis(200);
    private static final String NETWORK = "network";
    private static final String SANDBOX = "sandbox";
    private static final String ENDPOINT = "endpoint";

    private final String node;
    private final KernelThread kernelThread;
    private final Rtnetlink kernel;
    private final NetworkReconciler networkReconciler;
    private final NetworkDataplane networks;
    private final SandboxDataplane sandboxes;
    private final EndpointAttacher attacher;
    private final Firewall firewall;
    private final NamespaceRecords records;
    private final StatusPublisher status;

    private final Map<String, Network> desiredNetworks = new HashMap<>();
    private final Map<String, DesiredChange> desiredSandboxes = new LinkedHashMap<>();
    private final Map<String, DesiredChange> desiredEndpoints = new LinkedHashMap<>();
    private final Map<String, SandboxState> builtSandboxes = new HashMap<>();
    private final Map<String, EndpointState> builtEndpoints = new HashMap<>();
    private final Map<String, String> reported = new HashMap<>(); // key → last outcome published
    private volatile boolean listed;

    public SandboxReconciler(String node, KernelThread kernelThread, Rtnetlink kernel, NetworkReconciler networkReconciler,
                             NetworkDataplane networks, SandboxDataplane sandboxes, EndpointAttacher attacher,
                             Firewall firewall, NamespaceRecords records, StatusPublisher status) {
        this.node = node;
        this.kernelThread = kernelThread;
        this.kernel = kernel;
        this.networkReconciler = networkReconciler;
        this.networks = networks;
        this.sandboxes = sandboxes;
        this.attacher = attacher;
        this.firewall = firewall;
        this.records = records;
        this.status = status;
    }

    @Override
    public synchronized void listed(Map<String, DesiredChange> desired) {
        for (DesiredChange change : desired.values()) {
            remember(change);
        }
        converge();
        listed = true;
        LOG.infof("reconciled %d desired sandboxes and %d endpoints of node %s", desiredSandboxes.size(),
                desiredEndpoints.size(), node);
    }

    @Override
    public synchronized void changed(DesiredChange change) {
        switch (change.kind()) {
            case NETWORK -> {
                remember(change);
                buildPendingEndpoints();
            }
            case SANDBOX -> {
                DesiredChange previous = desiredSandboxes.get(change.id());
                boolean mine = remember(change);
                if (mine) {
                    buildSandbox(desiredSandboxes.get(change.id()));
                    buildPendingSharers();
                    buildPendingEndpoints();
                } else if (previous != null || builtSandboxes.containsKey(change.id())) {
                    removeSandbox(change.id(), previous, change.correlationId());
                }
            }
            case ENDPOINT -> {
                DesiredChange previous = desiredEndpoints.get(change.id());
                boolean mine = remember(change);
                if (mine) {
                    buildEndpoint(desiredEndpoints.get(change.id()));
                } else if (previous != null || builtEndpoints.containsKey(change.id())) {
                    removeEndpoint(change.id(), previous, change.correlationId(), true);
                }
            }
            default -> LOG.debugf("desired record %s of unknown kind ignored", change.key());
        }
    }

    /** Keeps the record; true when it is a live sandbox/endpoint of this node. */
    private boolean remember(DesiredChange change) {
        switch (change.kind()) {
            case NETWORK -> {
                if (change.isTombstone() || !change.envelope().is(EventType.NETWORK_DESIRED)) {
                    desiredNetworks.remove(change.id());
                } else {
                    desiredNetworks.put(change.id(), change.envelope().data(Network.class));
                }
                return false;
            }
            case SANDBOX -> {
                boolean mine = !change.isTombstone() && change.envelope().is(EventType.SANDBOX_DESIRED)
                        && node.equals(change.envelope().data(Sandbox.class).node());
                if (mine) {
                    desiredSandboxes.put(change.id(), change);
                } else {
                    desiredSandboxes.remove(change.id());
                }
                return mine;
            }
            case ENDPOINT -> {
                boolean mine = !change.isTombstone() && change.envelope().is(EventType.ENDPOINT_DESIRED)
                        && node.equals(change.envelope().data(Endpoint.class).node());
                if (mine) {
                    desiredEndpoints.put(change.id(), change);
                } else {
                    desiredEndpoints.remove(change.id());
                }
                return mine;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Makes the kernel match the desired records: builds missing sandboxes and endpoints (also ones deleted by
     * hand), deletes stale veths and namespaces of this node, rewrites the firewall table from what is built.
     */
    public synchronized void converge() {
        Set<String> hostLinks;
        try {
            hostLinks = kernelThread.call(() -> kernel.links().list().stream().map(Link::name).collect(Collectors.toSet()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "converge: cannot list links");
            return;
        }
        for (DesiredChange change : desiredSandboxes.values()) {
            SandboxState built = builtSandboxes.get(change.id());
            if (built == null || !kernelThread.call(() -> sandboxes.exists(built.netns()))) {
                if (built != null) {
                    LOG.warnf("sandbox %s: its namespace %s is gone; rebuilding", change.id(), built.netns());
                    builtSandboxes.remove(change.id());
                    // its endpoints went with it
                    builtEndpoints.values().removeIf(e -> e.sandboxId().equals(change.id()));
                }
                buildSandbox(change);
            }
        }
        buildPendingSharers();
        for (DesiredChange change : desiredEndpoints.values()) {
            EndpointState built = builtEndpoints.get(change.id());
            if (built != null && !hostLinks.contains(built.hostIfname())) {
                LOG.warnf("endpoint %s: its veth %s is gone; rebuilding", change.id(), built.hostIfname());
                builtEndpoints.remove(change.id());
            }
        }
        buildPendingEndpoints();
        removeStale();
        for (String sandboxId : List.copyOf(builtSandboxes.keySet())) {
            try {
                if (reroute(sandboxId)) {
                    LOG.infof("sandbox %s: its default route was not Docker's choice; fixed", sandboxId);
                }
            } catch (RuntimeException e) {
                LOG.errorf("converge: sandbox %s: %s", sandboxId, e.getMessage());
            }
        }
        try {
            kernelThread.run(firewall::converge);
        } catch (RuntimeException e) {
            LOG.errorf(e, "converge: cannot rewrite the firewall table");
        }
    }

    private void removeStale() {
        try {
            for (var veth : kernelThread.call(attacher::built).entrySet()) {
                String endpointId = veth.getKey();
                if (!desiredEndpoints.containsKey(endpointId)) {
                    LOG.infof("endpoint %s is no longer desired; removing its veth %s", endpointId, veth.getValue());
                    kernelThread.run(() -> attacher.detach(endpointId, veth.getValue()));
                    builtEndpoints.remove(endpointId);
                }
            }
            Set<String> desiredNetns = builtSandboxes.values().stream().map(SandboxState::netns)
                    .filter(Objects::nonNull).collect(Collectors.toSet());
            desiredSandboxes.values().stream().map(c -> c.envelope().data(Sandbox.class).netns())
                    .filter(Objects::nonNull).map(n -> NetNamespace.of(n).name()).forEach(desiredNetns::add);
            Map<String, String> owned = kernelThread.call(records::all);
            for (String netns : kernelThread.call(() -> sandboxes.stale(desiredNetns))) {
                LOG.infof("network namespace %s is no longer desired; removing it", netns);
                kernelThread.run(() -> sandboxes.removeStale(netns));
                String sandboxId = owned.get(netns);
                if (sandboxId != null && !sandboxId.isEmpty()) {
                    status.sandboxCleared(sandboxId, null);
                }
            }
        } catch (RuntimeException e) {
            // keep watching: what is desired is built; stale objects wait for the next converge
            LOG.errorf(e, "converge: cannot remove stale sandboxes and endpoints of this node");
        }
    }

    private void buildSandbox(DesiredChange change) {
        Sandbox sandbox = change.envelope().data(Sandbox.class);
        if ("container".equals(sandbox.mode()) && !builtSandboxes.containsKey(sandbox.containerOf())) {
            return; // the namespace it shares is not built yet: built after it (records arrive in any order)
        }
        try {
            SandboxState state = kernelThread.call(() -> sandboxes.create(sandbox));
            builtSandboxes.put(sandbox.id(), state);
            report("sandbox/" + sandbox.id(), "ready " + change.envelope().id(), () -> status.sandboxReady(change.envelope(), state));
        } catch (RuntimeException e) {
            builtSandboxes.remove(sandbox.id());
            String error = e instanceof DataplaneException ? e.getMessage() : "sandbox " + sandbox.id() + ": " + e;
            LOG.warnf("sandbox %s failed: %s", sandbox.id(), error);
            report("sandbox/" + sandbox.id(), "failed " + change.envelope().id() + " " + error,
                    () -> status.sandboxFailed(change.envelope(), sandbox.id(), change.correlationId(), error));
        }
    }

    /** Container-mode sandboxes that waited for the namespace they share. */
    private void buildPendingSharers() {
        for (DesiredChange change : List.copyOf(desiredSandboxes.values())) {
            if (!builtSandboxes.containsKey(change.id())
                    && "container".equals(change.envelope().data(Sandbox.class).mode())) {
                buildSandbox(change);
            }
        }
    }

    private void buildPendingEndpoints() {
        for (DesiredChange change : desiredEndpoints.values()) {
            if (!builtEndpoints.containsKey(change.id())) {
                buildEndpoint(change);
            }
        }
    }

    /** Builds the endpoint if its sandbox is built and its network ready; otherwise it waits for them. */
    private void buildEndpoint(DesiredChange change) {
        Endpoint endpoint = change.envelope().data(Endpoint.class);
        SandboxState sandbox = builtSandboxes.get(endpoint.sandboxId());
        Network network = desiredNetworks.get(endpoint.networkId());
        if (sandbox == null || network == null || !networkReconciler.isReady(network.id())) {
            return;
        }
        String sandboxName = desiredSandboxes.get(endpoint.sandboxId()).envelope().data(Sandbox.class).name();
        try {
            if (!"bridge".equals(network.driver()) && !"overlay".equals(network.driver())) {
                throw new DataplaneException("attach endpoint " + endpoint.id() + ": driver " + network.driver()
                        + " not supported yet");
            }
            List<DefaultRoutes.Attachment> attached = attachments(endpoint.sandboxId(), endpoint.id());
            DefaultRoutes.Attachment self = attachment(endpoint, network);
            attached.add(self);
            boolean defaultRoute = DefaultRoutes.choose(attached).filter(chosen -> chosen == self).isPresent();
            EndpointState state = kernelThread.call(() -> attacher.ensure(endpoint, sandboxName, sandbox.netns(),
                    networks.forAttach(network), networks.bridgeName(network), defaultRoute));
            builtEndpoints.put(endpoint.id(), state);
            report("endpoint/" + endpoint.id(), "ready " + change.envelope().id(), () -> status.endpointReady(change.envelope(), state));
        } catch (RuntimeException e) {
            String error = e instanceof DataplaneException ? e.getMessage() : "attach endpoint " + endpoint.id() + ": " + e;
            LOG.warnf("endpoint %s failed: %s", endpoint.id(), error);
            report("endpoint/" + endpoint.id(), "failed " + change.envelope().id() + " " + error, () -> status.endpointFailed(change.envelope(),
                    endpoint.id(), endpoint.sandboxId(), change.correlationId(), error));
        }
    }

    private void removeSandbox(String sandboxId, DesiredChange previous, String correlationId) {
        builtEndpoints.values().stream().filter(e -> e.sandboxId().equals(sandboxId)).map(EndpointState::endpointId)
                .toList().forEach(endpointId -> removeEndpoint(endpointId, desiredEndpoints.get(endpointId), correlationId,
                        false)); // the namespace goes: no default route to move
        SandboxState built = builtSandboxes.remove(sandboxId);
        String netns = built != null ? built.netns()
                : previous == null ? null : previous.envelope().data(Sandbox.class).netns();
        reported.remove("sandbox/" + sandboxId);
        try {
            kernelThread.run(() -> sandboxes.remove(sandboxId, netns));
            status.sandboxCleared(sandboxId, correlationId);
        } catch (RuntimeException e) {
            LOG.warnf("sandbox %s: removal failed: %s", sandboxId, e.getMessage());
            status.sandboxFailed(null, sandboxId, correlationId, e.getMessage());
        }
    }

    /**
     * Detaches the endpoint; {@code reroute}: first moves the sandbox's default route to the rule's choice among
     * the endpoints that stay (so it never leaves by the interface going away). A failed move is reported after
     * the detach (the endpoint goes anyway); the next converge tries the route again.
     */
    private void removeEndpoint(String endpointId, DesiredChange previous, String correlationId, boolean reroute) {
        EndpointState built = builtEndpoints.remove(endpointId);
        String sandboxId = built != null ? built.sandboxId()
                : previous == null ? null : previous.envelope().data(Endpoint.class).sandboxId();
        reported.remove("endpoint/" + endpointId);
        String routeError = null;
        if (reroute && built != null) {
            try {
                reroute(built.sandboxId());
            } catch (RuntimeException e) {
                routeError = e.getMessage();
            }
        }
        try {
            // the veth's own delete runs a little later beside the kernel thread, together with the others detached
            // meanwhile (one teardown for all), while endpoint.cleared goes out now
            kernelThread.run(() -> attacher.detach(endpointId, work -> kernelThread.beside(DETACHED_DELETE_DELAY, work)));
            if (routeError != null) {
                throw new DataplaneException("detach endpoint " + endpointId + ": " + routeError);
            }
            if (sandboxId != null) {
                status.endpointCleared(endpointId, sandboxId, correlationId);
            }
        } catch (RuntimeException e) {
            LOG.warnf("endpoint %s: removal failed: %s", endpointId, e.getMessage());
            if (sandboxId != null) {
                status.endpointFailed(null, endpointId, sandboxId, correlationId, e.getMessage());
            }
        }
    }

    /**
     * Applies Docker's default-route rule to the sandbox's built endpoints, in its own namespace (host- and
     * container-mode sandboxes have none to route). Returns whether the kernel had to change.
     */
    private boolean reroute(String sandboxId) {
        SandboxState sandbox = builtSandboxes.get(sandboxId);
        DesiredChange desired = desiredSandboxes.get(sandboxId);
        if (sandbox == null || sandbox.netns() == null || desired == null) {
            return false;
        }
        String mode = desired.envelope().data(Sandbox.class).mode();
        if ("host".equals(mode) || "container".equals(mode)) {
            return false;
        }
        Optional<DefaultRoutes.Attachment> chosen = DefaultRoutes.choose(attachments(sandboxId, null));
        return kernelThread.call(() -> DefaultRoutes.converge(NetNamespace.of(sandbox.netns()), chosen));
    }

    /** The sandbox's built endpoints but {@code excluding}, as the default-route rule sees them. */
    private List<DefaultRoutes.Attachment> attachments(String sandboxId, String excluding) {
        List<DefaultRoutes.Attachment> attached = new ArrayList<>();
        for (EndpointState state : builtEndpoints.values()) {
            DesiredChange change = desiredEndpoints.get(state.endpointId());
            Network network = desiredNetworks.get(state.networkId());
            if (state.sandboxId().equals(sandboxId) && !state.endpointId().equals(excluding) && change != null
                    && network != null) {
                attached.add(attachment(change.envelope().data(Endpoint.class), network));
            }
        }
        return attached;
    }

    private static DefaultRoutes.Attachment attachment(Endpoint endpoint, Network network) {
        return new DefaultRoutes.Attachment(network.name(), network.internal(), endpoint.ifname(),
                EndpointAttacher.gateway(endpoint).map(a -> a.gateway()).orElse(null));
    }

    private void report(String key, String outcome, Runnable publish) {
        if (!outcome.equals(reported.put(key, outcome))) {
            publish.run();
        }
    }

    public boolean isListed() {
        return listed;
    }

    public synchronized int readyEndpoints() {
        return builtEndpoints.size();
    }

    public synchronized int readySandboxes() {
        return builtSandboxes.size();
    }
}
