package io.netplane.ipam.it;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.IpamConfig;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.NetworkRemoveRequested;
import io.netplane.events.data.NodeJoined;
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
import org.eclipse.microprofile.config.ConfigProvider;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * The test's side of the real broker: it publishes intents and node announcements as api-service and the
 * agents do, and reads everything ipam-service writes to {@code changes} and {@code desired}.
 */
public final class TestBroker implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One record read back: topic suffix, key, value (null = tombstone). */
    public record Seen(String topic, String key, Envelope value) {
    }

    private final String prefix;
    private final KafkaProducer<String, Envelope> producer;
    private final KafkaConsumer<String, Envelope> consumer;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean open = true;

    public TestBroker() {
        this(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class),
                ConfigProvider.getConfig().getValue("netplane.topics.prefix", String.class));
    }

    /** Outside a Quarkus test (e.g. beside service processes): the broker and the prefix given. */
    public TestBroker(String bootstrap, String prefix) {
        this.prefix = prefix;
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, EnvelopeSerializer.class));
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, EnvelopeDeserializer.class));
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic topic : List.of(Topic.CHANGES, Topic.DESIRED)) {
            for (int p = 0; p < topic.partitions(); p++) {
                partitions.add(new TopicPartition(topic.name(prefix), p));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        reader = new Thread(() -> {
            while (open) {
                for (ConsumerRecord<String, Envelope> r : consumer.poll(Duration.ofMillis(100))) {
                    seen.add(new Seen(r.topic().substring(prefix.length() + 1), r.key(), r.value()));
                }
            }
            consumer.close();
        }, "test-broker-reader");
        reader.start();
    }

    public static String newId() {
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    public Envelope send(Envelope intent) {
        try {
            producer.send(new ProducerRecord<>(Topic.INTENTS.name(prefix), intent.subject().id(), intent))
                    .get(10, TimeUnit.SECONDS);
            return intent;
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish " + intent.type(), e);
        }
    }

    /** Publishes without waiting for the acknowledgement (a stream); {@link #flush()} waits for all. */
    public void sendAsync(Envelope intent) {
        producer.send(new ProducerRecord<>(Topic.INTENTS.name(prefix), intent.subject().id(), intent));
    }

    public void flush() {
        producer.flush();
    }

    /** A record the codec cannot read (garbage on the topic), on the partition of {@code key}. */
    public void sendRaw(String key, byte[] value) {
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
            raw.send(new ProducerRecord<>(Topic.INTENTS.name(prefix), key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish raw bytes", e);
        }
    }

    public static Envelope createIntent(String id, String name, String driver, List<IpamConfig> ipam,
                                        Map<String, String> options) {
        return Envelope.of(EventType.NETWORK_CREATE_REQUESTED, Subject.network(id),
                new NetworkCreateRequested(id, name, driver, ipam, false, false, false, options, Map.of("t", "1")),
                "test");
    }

    public static Envelope removeIntent(String id) {
        return Envelope.of(EventType.NETWORK_REMOVE_REQUESTED, Subject.network(id), new NetworkRemoveRequested(id), "test");
    }

    /** Publishes a create intent and waits for its outcome on changes. */
    public Envelope create(String name, String subnet, String ipRange, String gateway) {
        List<IpamConfig> ipam = subnet == null && gateway == null && ipRange == null ? List.of()
                : List.of(new IpamConfig(subnet, ipRange, gateway, Map.of()));
        return outcome(send(createIntent(newId(), name, "bridge", ipam, Map.of())));
    }

    public Envelope create(String name) {
        return create(name, null, null, null);
    }

    public Envelope remove(String id) {
        return outcome(send(removeIntent(id)));
    }

    public void announce(String node, List<String> routed) {
        Envelope joined = Envelope.of(EventType.NODE_JOINED, Subject.node(node),
                new NodeJoined(node, "192.0.2.1", routed, Map.of("agent", "test")), "node-agent:" + node);
        try {
            producer.send(new ProducerRecord<>(Topic.NODES.name(prefix), node, joined)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot announce node " + node, e);
        }
    }

    /** The first record on changes caused by {@code intent} (waits up to 20 s). */
    public Envelope outcome(Envelope intent) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> outcomes(intent).stream().findFirst().orElse(null), o -> o != null);
    }

    public List<Envelope> outcomes(Envelope intent) {
        return seen.stream().filter(s -> s.topic().equals("changes") && s.value() != null
                && intent.id().toString().equals(s.value().causationId())).map(Seen::value).toList();
    }

    public List<Seen> desired(String key) {
        return seen.stream().filter(s -> s.topic().equals("desired") && s.key().equals(key)).toList();
    }

    public Seen awaitDesired(String key, Predicate<Seen> match) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> desired(key).stream().filter(match).reduce((a, b) -> b).orElse(null), s -> s != null);
    }

    public List<Seen> changes(Predicate<Envelope> match) {
        return seen.stream().filter(s -> s.topic().equals("changes") && s.value() != null && match.test(s.value())).toList();
    }

    @Override
    public void close() {
        open = false;
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
