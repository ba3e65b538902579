package io.netplane.api.operations;

import io.netplane.api.messaging.IntentPublisher;
import io.netplane.api.projection.ProjectionProgress;
import io.netplane.api.readmodel.NetworkCatalog;
import io.netplane.api.readmodel.NetworkEntry;
import io.netplane.api.readmodel.NetworkView;
import io.netplane.api.readmodel.NodeLiveness;
import io.netplane.api.readmodel.OperationEntry;
import io.netplane.api.waiting.NetworkCreateWaiter;
import io.netplane.api.waiting.NetworkRemoveWaiter;
import io.netplane.api.waiting.Outcome;
import io.netplane.api.waiting.Waiter;
import io.netplane.api.waiting.Waiters;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.NetworkRemoveRequested;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Creates and removes networks for any API: validates what needs no state, opens the operation, publishes
 * the intent and, unless asked not to, waits for ipam's answer and the nodes' status.
 */
@ApplicationScoped
public class NetworkCommands {
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Set<String> PREDEFINED = Set.of("bridge", "host", "none");
    private static final Set<String> DRIVERS = Set.of("bridge", "overlay", "host", "null");
    /** After the outcome, how long to let the read model catch up before answering from the event alone. */
    private static final Duration CATCH_UP = Duration.ofSeconds(2);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    NetworkCatalog catalog;
    @Inject
    NodeLiveness liveness;
    @Inject
    OperationLog operations;
    @Inject
    IntentPublisher intents;
    @Inject
    Waiters waiters;
    @Inject
    ProjectionProgress progress;

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
        if (PREDEFINED.contains(name) || catalog.nameTaken(name)) {
            throw new ApiException(409, "network with name " + name + " already exists");
        }
        String id = newId();
        Envelope intent = Envelope.of(EventType.NETWORK_CREATE_REQUESTED, Subject.network(id),
                new NetworkCreateRequested(id, name, driver, request.ipam() == null ? List.of() : request.ipam(),
                        request.internal(), request.attachable(), request.enableIpv6(),
                        request.options() == null ? Map.of() : request.options(),
                        request.labels() == null ? Map.of() : request.labels()), actor);
        operations.open(intent.correlationId(), OperationEntry.CREATE_NETWORK, id, name, actor);
        NetworkCreateWaiter waiter = new NetworkCreateWaiter(intent.correlationId(), id, liveness::readyNodes);
        Outcome outcome = publishAndWait(intent, waiter, call);
        if (outcome == null) {
            return pending(intent.correlationId(), call, "network create " + name);
        }
        catchUp(outcome); // for a failure: the compensating intent is out once the projection has it
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
        operations.open(intent.correlationId(), OperationEntry.REMOVE_NETWORK, network.id, network.name, actor);
        Waiter waiter = new NetworkRemoveWaiter(intent.correlationId(), network.id, heldOn, liveness::readyNodes);
        Outcome outcome = publishAndWait(intent, waiter, call);
        if (outcome == null) {
            return pending(intent.correlationId(), call, "network remove " + network.name);
        }
        catchUp(outcome);
        return new CallResult(outcome.status(), intent.correlationId(), outcome.message(), null);
    }

    /** @return the outcome, or null when the call is async or timed out (the operation goes on). */
    private Outcome publishAndWait(Envelope intent, Waiter waiter, CallOptions call) {
        if (call.async()) {
            publish(intent);
            return null;
        }
        waiters.register(waiter); // before publishing: an answer can come back at once
        try {
            publish(intent);
            return waiter.outcome().get(call.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            operations.timedOut(intent.correlationId());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while waiting for " + intent.type(), intent.correlationId());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            waiters.unregister(waiter);
        }
    }

    private void publish(Envelope intent) {
        try {
            intents.publish(intent);
        } catch (IntentPublisher.IntentNotPublishedException e) {
            operations.notPublished(intent.correlationId(), e.getMessage());
            throw new ApiException(503, e.getMessage(), intent.correlationId());
        }
    }

    private CallResult pending(String operation, CallOptions call, String what) {
        return call.async() ? new CallResult(CallResult.ACCEPTED, operation, null, null)
                : new CallResult(CallResult.STILL_RUNNING, operation,
                        what + " did not finish within " + call.timeout().toMillis() + " ms: still in progress", null);
    }

    /** So that a read right after the answer shows what the answer said. */
    private void catchUp(Outcome outcome) {
        try {
            progress.awaitApplied(outcome.seen(), Instant.now().plus(CATCH_UP));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
