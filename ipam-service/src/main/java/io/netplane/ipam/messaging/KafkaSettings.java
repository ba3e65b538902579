package io.netplane.ipam.messaging;

import io.netplane.events.Topic;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Client settings from {@code kafka.bootstrap.servers} and {@code netplane.topics.prefix}. */
@ApplicationScoped
public class KafkaSettings {
    private final String bootstrap;
    private final String prefix;

    private final Optional<String> instanceId;

    public KafkaSettings(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                         @ConfigProperty(name = "netplane.topics.prefix") String prefix,
                         @ConfigProperty(name = "netplane.ipam.instance-id") Optional<String> instanceId) {
        this.bootstrap = bootstrap;
        this.prefix = prefix;
        this.instanceId = instanceId.filter(id -> !id.isBlank());
    }

    public String bootstrap() { return bootstrap; }

    public String prefix() { return prefix; }

    public String topic(Topic topic) { return topic.name(prefix); }

    /** Idempotent, acks=all, and no lingering: every user call waits on what this producer sends. */
    public Map<String, Object> producer(String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /** Manual commits (after the database transaction); bytes in, so one bad record cannot stop a poll. */
    public Map<String, Object> consumer(String group, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // static membership: a replica restarted under the same id (after a crash) gets its partitions back
        // at once instead of after the session timeout of its dead predecessor
        instanceId.ifPresent(id -> config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id + "-" + clientId));
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }
}
