package io.netplane.agent.messaging;

import io.netplane.agent.dataplane.EndpointState;
import io.netplane.agent.dataplane.NetworkState;
import io.netplane.agent.dataplane.SandboxState;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.EventData;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.EndpointReady;
import io.netplane.events.data.Failure;
import io.netplane.events.data.NetworkReady;
import io.netplane.events.data.SandboxReady;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Status events of this node on {@code <prefix>.status}, keyed by network id (networks) or sandbox id
 * (sandboxes and their endpoints, so one sandbox's events stay ordered). Events caused by a desired
 * record continue its chain ({@link Envelope#causedBy}), so the caller's correlation id comes back.
 */
public final class StatusPublisher {
    private static final Logger LOG = Logger.getLogger(StatusPublisher.class);

    private final Producer<String, Envelope> producer;
    private final String topic;
    private final String node;

    public StatusPublisher(Producer<String, Envelope> producer, String topicPrefix, String node) {
        this.producer = producer;
        this.topic = Topic.STATUS.name(topicPrefix);
        this.node = node;
    }

    /** {@code network.ready}: the network's kernel objects exist on this node. */
    public void networkReady(Envelope desired, NetworkState state) {
        send(state.networkId(), Envelope.causedBy(desired, EventType.NETWORK_READY, Subject.network(state.networkId()),
                new NetworkReady(state.networkId(), node, state.bridge(), state.ifindex())));
    }

    /** {@code network.failed} with the agent's and the kernel's message; {@code desired} may be null (a tombstone). */
    public void networkFailed(Envelope desired, String networkId, String correlationId, String error) {
        Failure failure = new Failure(networkId, node, error);
        send(networkId, desired != null
                ? Envelope.causedBy(desired, EventType.NETWORK_FAILED, Subject.network(networkId), failure)
                : started(EventType.NETWORK_FAILED, networkId, failure, correlationId));
    }

    /** {@code network.cleared}: nothing of the removed network is left on this node. */
    public void networkCleared(String networkId, String correlationId) {
        send(networkId, started(EventType.NETWORK_CLEARED, networkId, new Cleared(networkId, node), correlationId));
    }

    /** {@code sandbox.ready}: the sandbox's netns exists (lo up) on this node. */
    public void sandboxReady(Envelope desired, SandboxState state) {
        send(state.sandboxId(), Envelope.causedBy(desired, EventType.SANDBOX_READY, Subject.sandbox(state.sandboxId()),
                new SandboxReady(state.sandboxId(), node, state.netns())));
    }

    /** {@code sandbox.failed}; {@code desired} may be null (a tombstone). */
    public void sandboxFailed(Envelope desired, String sandboxId, String correlationId, String error) {
        Failure failure = new Failure(sandboxId, node, error);
        send(sandboxId, desired != null
                ? Envelope.causedBy(desired, EventType.SANDBOX_FAILED, Subject.sandbox(sandboxId), failure)
                : started(EventType.SANDBOX_FAILED, Subject.sandbox(sandboxId), failure, correlationId));
    }

    /** {@code sandbox.cleared}: the removed sandbox's netns is gone from this node. */
    public void sandboxCleared(String sandboxId, String correlationId) {
        send(sandboxId, started(EventType.SANDBOX_CLEARED, Subject.sandbox(sandboxId), new Cleared(sandboxId, node),
                correlationId));
    }

    /** {@code endpoint.ready}, keyed by its sandbox: names, ifindex/iflink of both ends, MAC and address. */
    public void endpointReady(Envelope desired, EndpointState state) {
        send(state.sandboxId(), Envelope.causedBy(desired, EventType.ENDPOINT_READY, Subject.endpoint(state.endpointId()),
                new EndpointReady(state.endpointId(), state.sandboxId(), state.networkId(), node, state.hostIfname(),
                        state.ifname(), state.ifindex(), state.iflink(), state.hostIfindex(), state.hostIflink(),
                        state.mac(), state.address())));
    }

    /** {@code endpoint.failed} with the kernel's error, keyed by its sandbox; {@code desired} may be null. */
    public void endpointFailed(Envelope desired, String endpointId, String sandboxId, String correlationId, String error) {
        Failure failure = new Failure(endpointId, node, error);
        send(sandboxId, desired != null
                ? Envelope.causedBy(desired, EventType.ENDPOINT_FAILED, Subject.endpoint(endpointId), failure)
                : started(EventType.ENDPOINT_FAILED, Subject.endpoint(endpointId), failure, correlationId));
    }

    /** {@code endpoint.cleared}: nothing of the endpoint is left on this node. */
    public void endpointCleared(String endpointId, String sandboxId, String correlationId) {
        send(sandboxId, started(EventType.ENDPOINT_CLEARED, Subject.endpoint(endpointId), new Cleared(endpointId, node),
                correlationId));
    }

    private Envelope started(EventType type, String networkId, EventData data, String correlationId) {
        return started(type, Subject.network(networkId), data, correlationId);
    }

    private Envelope started(EventType type, Subject subject, EventData data, String correlationId) {
        Envelope envelope = Envelope.of(type, subject, data, "node:" + node);
        return correlationId == null ? envelope : envelope.withCorrelationId(correlationId);
    }

    private void send(String key, Envelope envelope) {
        Envelope withNode = envelope.withNode(node);
        producer.send(new ProducerRecord<>(topic, key, withNode), (metadata, error) -> {
            if (error != null) {
                LOG.errorf(error, "cannot publish %s for %s", withNode.type(), key);
            }
        });
        LOG.debugf("%s %s", withNode.type(), key);
    }
}
