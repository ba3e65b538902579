package io.netplane.agent.messaging;

import io.netplane.events.Envelope;
import io.netplane.events.kafka.EnvelopeSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Map;

/** The agent's one producer: envelopes keyed by string, sent at once (linger 0), acknowledged by all replicas. */
public final class KafkaProducers {
    private KafkaProducers() {
    }

    public static Producer<String, Envelope> envelopes(String bootstrapServers, String clientId) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
                new StringSerializer(), new EnvelopeSerializer());
    }
}
