package io.netplane.api.messaging;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.kafka.EnvelopeSerializer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes intents, keyed by the subject's id, and returns once the broker has them. */
@ApplicationScoped
public class IntentPublisher {
    @Inject
    KafkaSettings kafka;

    private volatile KafkaProducer<String, Envelope> producer;

    void start() {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "netplane-api-intents",
                // Kafka 4 defaults to 5 ms; every hop of a request would wait for it
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new EnvelopeSerializer());
    }

    void stop() {
        if (producer != null) {
            producer.close();
        }
    }

    public void publish(Envelope intent) {
        String topic = EventType.fromWireName(intent.type())
                .orElseThrow(() -> new IllegalArgumentException("unknown event type " + intent.type()))
                .topic().name(kafka.prefix());
        try {
            producer.send(new ProducerRecord<>(topic, intent.subject().id(), intent)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IntentNotPublishedException(intent, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IntentNotPublishedException(intent, e.getCause() == null ? e : e.getCause());
        }
    }

    /** The broker did not take the intent: nothing was requested. */
    public static class IntentNotPublishedException extends RuntimeException {
        IntentNotPublishedException(Envelope intent, Throwable cause) {
            super("cannot publish " + intent.type() + " for " + intent.subject().id() + ": " + cause.getMessage(), cause);
        }
    }
}
