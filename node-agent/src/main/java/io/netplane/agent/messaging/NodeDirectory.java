package io.netplane.agent.messaging;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Topic;
import io.netplane.events.data.NodeJoined;
import io.netplane.events.kafka.EnvelopeDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The underlay address of every node, from {@code node.joined} on {@code <prefix>.nodes}: read from the
 * beginning (no consumer group: every agent needs all of it) up to the end seen at {@link #start()}, which
 * returns then, and followed afterwards. Each address (new or changed) goes to the listener; what overlay
 * networks need to reach a remote endpoint. A node that left keeps its address: it comes back with its endpoints.
 */
public final class NodeDirectory implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeDirectory.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final String bootstrapServers;
    private final String topic;
    private final String clientId;
    private final BiConsumer<String, Inet4Address> listener;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, Envelope> consumer;

    public NodeDirectory(String bootstrapServers, String topicPrefix, String clientId,
                         BiConsumer<String, Inet4Address> listener) {
        this.bootstrapServers = bootstrapServers;
        this.topic = Topic.NODES.name(topicPrefix);
        this.clientId = clientId;
        this.listener = listener;
        this.thread = new Thread(this::follow, "netplane-nodes");
        this.thread.setDaemon(true);
    }

    /** Reads the registry up to its current end, then follows it in the background. */
    public void start() {
        KafkaConsumer<String, Envelope> kafka = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new EnvelopeDeserializer());
        consumer = kafka;
        try {
            List<PartitionInfo> infos = kafka.partitionsFor(topic, Duration.ofSeconds(30));
            List<TopicPartition> partitions = infos == null ? List.of()
                    : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            kafka.assign(partitions);
            kafka.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = kafka.endOffsets(partitions);
            int nodes = 0;
            while (end.entrySet().stream().anyMatch(e -> kafka.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, Envelope> record : kafka.poll(POLL)) {
                    nodes += handle(record) ? 1 : 0;
                }
            }
            LOG.infof("read %d node.joined from %s", nodes, topic);
        } catch (RuntimeException e) {
            kafka.close();
            throw new IllegalStateException("cannot read the node registry " + topic + ": " + e.getMessage(), e);
        }
        thread.start();
    }

    private void follow() {
        KafkaConsumer<String, Envelope> kafka = consumer;
        try (kafka) {
            while (running) {
                for (ConsumerRecord<String, Envelope> record : kafka.poll(POLL)) {
                    handle(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "the node registry reader of %s stopped", topic);
        }
    }

    private boolean handle(ConsumerRecord<String, Envelope> record) {
        Envelope envelope = record.value();
        if (envelope == null || !envelope.is(EventType.NODE_JOINED)) {
            return false;
        }
        try {
            NodeJoined joined = envelope.data(NodeJoined.class);
            Inet4Address address = ipv4(joined.underlayAddress());
            listener.accept(joined.node(), address);
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("node.joined at %s-%d@%d skipped: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return false;
        }
    }

    private static Inet4Address ipv4(String literal) {
        if (literal == null || literal.isBlank()) {
            return null;
        }
        try {
            return io.netplane.agent.kernel.Cidr.literal(literal.trim()) instanceof Inet4Address ipv4 ? ipv4 : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, Envelope> kafka = consumer;
        if (kafka != null && thread.isAlive()) {
            kafka.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (kafka != null) {
            kafka.close();
        }
    }
}
