package io.netplane.agent.messaging;

import io.netplane.events.Envelope;
import io.netplane.events.EventData;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.NodeHeartbeat;
import io.netplane.events.data.NodeJoined;
import io.netplane.events.data.NodeLeft;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** This node on the registry topic {@code <prefix>.nodes}, keyed by node name: joined, heartbeats, left. */
public final class NodeAnnouncer {
    private static final long ACK_SECONDS = 30;

    private final Producer<String, Envelope> producer;
    private final String topic;
    private final String node;

    public NodeAnnouncer(Producer<String, Envelope> producer, String topicPrefix, String node) {
        this.producer = producer;
        this.topic = Topic.NODES.name(topicPrefix);
        this.node = node;
    }

    /** Returns once the broker has acknowledged it: a node counts as joined only then. */
    public void joined(NodeJoined joined) {
        sendAndWait(EventType.NODE_JOINED, joined);
    }

    public void heartbeat(NodeHeartbeat heartbeat) {
        sendAndWait(EventType.NODE_HEARTBEAT, heartbeat);
    }

    public void left(String reason) {
        sendAndWait(EventType.NODE_LEFT, new NodeLeft(node, reason));
    }

    private void sendAndWait(EventType type, EventData data) {
        Envelope envelope = Envelope.of(type, Subject.node(node), data, "node:" + node).withNode(node);
        try {
            producer.send(new ProducerRecord<>(topic, node, envelope)).get(ACK_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing " + type.wireName(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish " + type.wireName() + " of node " + node + " on " + topic
                    + ": " + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
    }
}
