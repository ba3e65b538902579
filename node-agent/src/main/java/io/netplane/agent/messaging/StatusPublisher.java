package io.netplane.agent.messaging;

import io.netplane.agent.dataplane.NetworkState;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.Failure;
import io.netplane.events.data.NetworkReady;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Status events of this node on {@code <prefix>.status}, keyed by network id. Events caused by a desired
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

    private Envelope started(EventType type, String networkId, io.netplane.events.EventData data, String correlationId) {
        Envelope envelope = Envelope.of(type, Subject.network(networkId), data, "node:" + node);
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
