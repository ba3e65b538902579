package io.netplane.api.operations;

import io.netplane.api.readmodel.NetworkCatalog;
import io.netplane.api.readmodel.NetworkEntry;
import io.netplane.api.readmodel.NetworkView;
import io.netplane.api.readmodel.NodeLiveness;
import io.netplane.api.readmodel.OperationEntry;
import io.netplane.api.waiting.NetworkCreateWaiter;
import io.netplane.api.waiting.NetworkRemoveWaiter;
import io.netplane.api.waiting.Outcome;
import io.netplane.api.waiting.Waiter;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.NetworkRemoveRequested;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Creates and removes networks for any API: validates what needs no state, opens the operation, publishes
 * the intent and, unless asked not to, waits for ipam's answer and the nodes' status.
 */
@ApplicationScoped
public class NetworkCommands {
    private static final Logger LOG = Logger.getLogger(NetworkCommands.class);
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Set<String> PREDEFINED = Set.of("bridge", "host", "none");
    private static final Set<String> DRIVERS = Set.of("bridge", "overlay", "host", "null");
    /** Docker's driver options the native API also takes as {@code mtu} and {@code bridgeName}. */
    public static final String MTU_OPTION = "com.docker.network.driver.mtu";
    public static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";

    @Inject
    NetworkCatalog catalog;
    @Inject
    NodeLiveness liveness;
    @Inject
    OperationLog operations;
    @Inject
    IntentCalls calls;

    public CallResult create(NetworkRequest request, String actor, CallOptions call) {
        String name = request.name();
        if (name == null || name.isEmpty()) {
            throw new ApiException(400, "network name is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(400, "invalid network name \"" + name + "\": a name must match "
                    + NAME.pattern());
        }
        String driver = request.driver() == null || request.driver().isEmpty() ? "bridge" : request.driver();
        if (!DRIVERS.contains(driver)) {
            throw new ApiException(404, "plugin \"" + driver + "\" not found");
        }
        if (driver.equals("host") || driver.equals("null")) {
            throw new ApiException(403, "only one instance of \"" + driver + "\" network is allowed");
        }
        checkMtu(request.options());
        if (PREDEFINED.contains(name) || catalog.nameTaken(name)) {
            throw new ApiException(409, "network with name " + name + " already exists");
        }
        String id = newId();
        Envelope intent = Envelope.of(EventType.NETWORK_CREATE_REQUESTED, Subject.network(id),
                new NetworkCreateRequested(id, name, driver, request.ipam() == null ? List.of() : request.ipam(),
                        request.internal(), request.attachable(), request.enableIpv6(),
                        request.options() == null ? Map.of() : request.options(),
                        request.labels() == null ? Map.of() : request.labels()), actor);
        operations.open(intent.correlationId(), OperationEntry.CREATE_NETWORK, id, name, actor, call);
        NetworkCreateWaiter waiter = new NetworkCreateWaiter(intent.correlationId(), id, liveness::readyNodes);
        Outcome outcome = calls.publishAndWait(intent, waiter, call);
        if (outcome == null) {
            return calls.pending(intent.correlationId(), call, "network create " + name);
        }
        calls.catchUp(outcome); // for a failure: the compensating intent is out once the projection has it
        if (!outcome.succeeded()) {
            return new CallResult(outcome.status(), intent.correlationId(), outcome.message(), null);
        }
        NetworkView view = catalog.viewById(id).orElseGet(() -> NetworkView.of(waiter.created(), true));
        return new CallResult(201, intent.correlationId(), null, view);
    }

    public CallResult remove(String ref, String actor, CallOptions call) {
        NetworkEntry network = catalog.lookup(ref);
        if (network.predefined) {
            throw new ApiException(403, network.name + " is a pre-defined network and cannot be removed");
        }
        Set<String> heldOn = catalog.readyOn(network.id, liveness.readyNodes());
        Envelope intent = Envelope.of(EventType.NETWORK_REMOVE_REQUESTED, Subject.network(network.id),
                new NetworkRemoveRequested(network.id), actor);
        operations.open(intent.correlationId(), OperationEntry.REMOVE_NETWORK, network.id, network.name, actor, call);
        Waiter waiter = new NetworkRemoveWaiter(intent.correlationId(), network.id, heldOn, liveness::readyNodes);
        Outcome outcome = calls.publishAndWait(intent, waiter, call);
        if (outcome == null) {
            return calls.pending(intent.correlationId(), call, "network remove " + network.name);
        }
        calls.catchUp(outcome);
        return new CallResult(outcome.status(), intent.correlationId(), outcome.message(), null);
    }

    /**
     * Removes each of {@code candidates} (unused custom networks, chosen by the caller's filters) as an
     * ordinary remove, one after the other, and returns the names that are gone. ipam has no prune of its own
     * yet; a network that got an endpoint or failed meanwhile is kept silently, as Docker keeps it.
     */
    public List<String> prune(List<NetworkEntry> candidates, String actor, CallOptions call) {
        List<String> removed = new ArrayList<>();
        for (NetworkEntry network : candidates) {
            try {
                CallResult result = remove(network.id, actor, call);
                if (result.status() == 204 || result.status() == 200 || result.status() == CallResult.ACCEPTED) {
                    removed.add(network.name);
                } else {
                    LOG.infof("prune kept network %s: %d %s", network.name, result.status(), result.message());
                }
            } catch (RuntimeException e) { // removed or changed by someone else meanwhile
                LOG.infof("prune kept network %s: %s", network.name, e.getMessage());
            }
        }
        return removed;
    }

    /** A bad MTU is the caller's error: refused before any intent, not stored for the nodes to trip over. */
    private static void checkMtu(Map<String, String> options) {
        String mtu = options == null ? null : options.get(MTU_OPTION);
        if (mtu == null) {
            return;
        }
        int value;
        try {
            value = Integer.parseInt(mtu.trim());
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value != 0 && (value < 68 || value > 65535)) { // 0: the default, as Docker
            throw new ApiException(400, "invalid_request", "invalid MTU \"" + mtu + "\" in option " + MTU_OPTION
                    + ": an integer from 68 to 65535", null, Map.of("field", "options." + MTU_OPTION, "value", mtu));
        }
    }

    static String newId() {
        return IntentCalls.newId();
    }
}
