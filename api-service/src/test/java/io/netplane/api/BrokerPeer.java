package io.netplane.api;

import io.netplane.events.Envelope;
import io.netplane.events.EventData;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.EndpointReady;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxReady;
import io.netplane.events.data.SandboxRemoved;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkReady;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.NodeHeartbeat;
import io.netplane.events.data.NodeJoined;
import io.netplane.events.data.NodeLeft;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.events.kafka.EnvelopeDeserializer;
import io.netplane.events.kafka.EnvelopeSerializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The test's side of the real broker. It publishes the events ipam-service and node-agents would emit
 * (these tests exercise api-service's own consumers, not the other services) and reads the intents
 * api-service publishes.
 */
public final class BrokerPeer implements AutoCloseable {
    private final String prefix;
    private final KafkaProducer<String, Envelope> producer;
    private final KafkaConsumer<String, Envelope> intents;
    private final List<Envelope> seenIntents = new ArrayList<>();

    public BrokerPeer(String bootstrap, String prefix) {
        this.prefix = prefix;
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new EnvelopeSerializer());
        intents = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new EnvelopeDeserializer());
        List<TopicPartition> partitions = intents.partitionsFor(Topic.INTENTS.name(prefix), Duration.ofSeconds(30))
                .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        intents.assign(partitions);
        intents.seekToBeginning(partitions);
    }

    public static String randomId() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static String suffix() {
        return Integer.toHexString(new Random().nextInt(0x10000000));
    }

    /** Publishes as the other services do: keyed by the subject's id (nodes: by node name). */
    public void publish(Envelope event) {
        Topic topic = EventType.fromWireName(event.type()).orElseThrow().topic();
        try {
            producer.send(new ProducerRecord<>(topic.name(prefix), event.subject().id(), event)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish " + event.type(), e);
        }
    }

    /** The first intent (from the beginning of the topic) that matches, within {@code timeout}. */
    public Envelope awaitIntent(Predicate<Envelope> match, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            for (Envelope seen : seenIntents) {
                if (match.test(seen)) {
                    return seen;
                }
            }
            for (ConsumerRecord<String, Envelope> record : intents.poll(Duration.ofMillis(100))) {
                seenIntents.add(record.value());
            }
        }
        throw new AssertionError("no matching intent on " + Topic.INTENTS.name(prefix) + " within " + timeout
                + "; seen: " + seenIntents.stream().map(e -> e.type() + " " + e.data()).toList());
    }

    /** Every intent up to now plus what arrives within {@code period}. */
    public List<Envelope> drainIntents(Duration period) {
        Instant end = Instant.now().plus(period);
        while (Instant.now().isBefore(end)) {
            for (ConsumerRecord<String, Envelope> record : intents.poll(Duration.ofMillis(100))) {
                seenIntents.add(record.value());
            }
        }
        return List.copyOf(seenIntents);
    }

    public static Envelope event(EventType type, String correlationId, Subject subject, String node, EventData data) {
        return new Envelope(UUID.randomUUID(), type.wireName(), type.version(), Instant.now(), correlationId, null,
                "system", subject, node, data);
    }

    public static Network network(String id, String name, String subnet, String gateway, boolean predefined) {
        return new Network(id, name, predefined && name.equals("host") ? "host" : "bridge", "local",
                List.of(new SubnetAllocation(Family.ipv4, subnet, gateway, null, true, false)), false, false, false,
                Map.of(), Map.of("team", "blue"), null, "np-" + id.substring(0, 12), predefined, Instant.now());
    }

    public static Envelope created(String correlationId, Network n) {
        return event(EventType.NETWORK_CREATED, correlationId, Subject.network(n.id()), null, n);
    }

    public static Envelope rejected(String correlationId, String networkId, String operation, String name, int status,
                                    String message) {
        return event(EventType.NETWORK_REJECTED, correlationId, Subject.network(networkId), null,
                new Rejection(operation, name, status, message));
    }

    public static Envelope removed(String correlationId, String networkId, String name) {
        return event(EventType.NETWORK_REMOVED, correlationId, Subject.network(networkId), null,
                new NetworkRemoved(networkId, name));
    }

    public static Envelope ready(String correlationId, String networkId, String node, int ifindex) {
        return event(EventType.NETWORK_READY, correlationId, Subject.network(networkId), node,
                new NetworkReady(networkId, node, "np-" + networkId.substring(0, 12), ifindex));
    }

    public static Envelope failed(String correlationId, String networkId, String node, String error) {
        return event(EventType.NETWORK_FAILED, correlationId, Subject.network(networkId), node,
                new Failure(networkId, node, error));
    }

    /** As an agent sends it: its own correlation, not the remove request's. */
    public static Envelope cleared(String networkId, String node) {
        return event(EventType.NETWORK_CLEARED, UUID.randomUUID().toString(), Subject.network(networkId), node,
                new Cleared(networkId, node));
    }

    /** The host name a test node reports in node.joined. */
    public static String hostnameOf(String node) {
        return "host-of-" + node;
    }

    public static Envelope joined(String node, String underlay, List<String> routed, Instant time) {
        return joined(node, underlay, routed, time, null);
    }

    /** {@code capabilities} null: as an agent from before they were reported. */
    public static Envelope joined(String node, String underlay, List<String> routed, Instant time, List<String> capabilities) {
        Envelope e = event(EventType.NODE_JOINED, null, Subject.node(node), node,
                new NodeJoined(node, underlay, routed, Map.of("netplane", "0.1.0", "kernel", "6.1"), hostnameOf(node),
                        capabilities));
        return new Envelope(e.id(), e.type(), e.version(), time, null, null, "system", e.subject(), node, e.data());
    }

    public static Envelope heartbeat(String node, Instant time) {
        Envelope e = event(EventType.NODE_HEARTBEAT, null, Subject.node(node), node,
                new NodeHeartbeat(node, null, 0, 0, 0));
        return new Envelope(e.id(), e.type(), e.version(), time, null, null, "system", e.subject(), node, e.data());
    }

    public static Envelope left(String node) {
        return event(EventType.NODE_LEFT, null, Subject.node(node), node, new NodeLeft(node, "stopped"));
    }

    // sandboxes and endpoints, as ipam (changes) and the agent (status) send them: keyed by the sandbox id

    public static Sandbox sandbox(String id, String name, String node) {
        return new Sandbox(id, name, node, "bridge", "np-" + id.substring(0, 12), id.substring(0, 12), null, List.of(),
                Instant.now());
    }

    public static Endpoint endpoint(String id, String sandboxId, String networkId, String node, String ifname,
                                    String address, int prefixLength, String gateway, List<PortBinding> ports,
                                    List<String> aliases) {
        String[] bytes = address.split("\\.");
        String mac = String.format("02:42:%02x:%02x:%02x:%02x", Integer.parseInt(bytes[0]), Integer.parseInt(bytes[1]),
                Integer.parseInt(bytes[2]), Integer.parseInt(bytes[3]));
        return new Endpoint(id, sandboxId, networkId, node, ifname,
                List.of(new EndpointAddress(Family.ipv4, address, prefixLength, gateway)), mac, ports, aliases,
                Instant.now());
    }

    public static Envelope scheduled(String correlationId, Sandbox s) {
        return event(EventType.SANDBOX_SCHEDULED, correlationId, Subject.sandbox(s.id()), null, s);
    }

    public static Envelope allocated(String correlationId, Endpoint e) {
        return event(EventType.ENDPOINT_ALLOCATED, correlationId, Subject.sandbox(e.sandboxId()), null, e);
    }

    public static Envelope sandboxRejected(String correlationId, String sandboxId, String name, int status, String message) {
        return event(EventType.SANDBOX_REJECTED, correlationId, Subject.sandbox(sandboxId), null,
                new Rejection("create", name, status, message));
    }

    public static Envelope endpointRejected(String correlationId, String sandboxId, String operation, String name,
                                            int status, String message) {
        return event(EventType.ENDPOINT_REJECTED, correlationId, Subject.sandbox(sandboxId), null,
                new Rejection(operation, name, status, message));
    }

    public static Envelope sandboxRemoved(String correlationId, String sandboxId, String name, String node) {
        return event(EventType.SANDBOX_REMOVED, correlationId, Subject.sandbox(sandboxId), null,
                new SandboxRemoved(sandboxId, name, node));
    }

    public static Envelope endpointReleased(String correlationId, Endpoint e) {
        return event(EventType.ENDPOINT_RELEASED, correlationId, Subject.sandbox(e.sandboxId()), null,
                new EndpointReleased(e.id(), e.sandboxId(), e.networkId(), e.node()));
    }

    public static Envelope sandboxReady(String correlationId, Sandbox s) {
        return event(EventType.SANDBOX_READY, correlationId, Subject.sandbox(s.id()), s.node(),
                new SandboxReady(s.id(), s.node(), s.netns()));
    }

    public static Envelope sandboxFailed(String correlationId, String sandboxId, String node, String error) {
        return event(EventType.SANDBOX_FAILED, correlationId, Subject.sandbox(sandboxId), node,
                new Failure(sandboxId, node, error));
    }

    /** As an agent sends it for a tombstone: its own correlation. */
    public static Envelope sandboxCleared(String sandboxId, String node) {
        return event(EventType.SANDBOX_CLEARED, UUID.randomUUID().toString(), Subject.sandbox(sandboxId), node,
                new Cleared(sandboxId, node));
    }

    public static Envelope endpointReady(String correlationId, Endpoint e, int ifindex) {
        return event(EventType.ENDPOINT_READY, correlationId, Subject.sandbox(e.sandboxId()), e.node(),
                new EndpointReady(e.id(), e.sandboxId(), e.networkId(), e.node(), "vnp" + e.id().substring(0, 12),
                        e.ifname(), ifindex, ifindex + 1));
    }

    /** Failure names only the endpoint; the record key (the sandbox id) says whose. */
    public static Envelope endpointFailed(String correlationId, Endpoint e, String error) {
        return event(EventType.ENDPOINT_FAILED, correlationId, Subject.sandbox(e.sandboxId()), e.node(),
                new Failure(e.id(), e.node(), error));
    }

    public static Envelope endpointCleared(Endpoint e) {
        return event(EventType.ENDPOINT_CLEARED, UUID.randomUUID().toString(), Subject.sandbox(e.sandboxId()), e.node(),
                new Cleared(e.id(), e.node()));
    }

    @Override
    public void close() {
        producer.close();
        intents.close();
    }
}
