package io.netplane.agent;

import io.netplane.events.Envelope;
import io.netplane.events.kafka.EnvelopeDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;


/** Tests only: reads a whole topic from the beginning (no group) and keeps every envelope for assertions. */
public final class TopicRecorder implements AutoCloseable {
    private final KafkaConsumer<String, Envelope> consumer;
    private final List<Envelope> envelopes = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public TopicRecorder(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new EnvelopeDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::poll, "recorder-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<String, Envelope> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        envelopes.add(record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closed
        } finally {
            consumer.close();
        }
    }

    public Optional<Envelope> find(Predicate<Envelope> match) {
        return envelopes.stream().filter(match).findFirst();
    }

    public long count(Predicate<Envelope> match) {
        return envelopes.stream().filter(match).count();
    }

    public Envelope await(String what, Predicate<Envelope> match) {
        await(what).atMost(Duration.ofSeconds(30)).until(() -> find(match).isPresent());
        return find(match).orElseThrow();
    }

    private static org.awaitility.core.ConditionFactory await(String what) {
        return org.awaitility.Awaitility.await(what).pollInterval(Duration.ofMillis(100));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
