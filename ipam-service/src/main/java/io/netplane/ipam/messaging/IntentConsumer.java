package io.netplane.ipam.messaging;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Envelope;
import io.netplane.events.Topic;
import io.netplane.ipam.allocation.IntentHandler;
import io.netplane.ipam.outbox.Outbox;
import io.netplane.ipam.outbox.OutboxRelay;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import io.netplane.ipam.IpamSettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Reads {@code <prefix>.intents} in one consumer group shared by every replica (partitions are shared out);
 * {@code netplane.ipam.intent-consumers} threads per replica, each its own member of the group.
 */
@Singleton
public class IntentConsumer extends DatabaseConsumer {
    private final IntentHandler handler;
    private final KafkaSettings kafka;
    private final String group;
    private final int threads;

    public IntentConsumer(AgroalDataSource dataSource, OutboxRelay relay, Outbox outbox, IntentHandler handler, KafkaSettings kafka,
                          IpamSettings settings) {
        super(dataSource, relay, outbox);
        this.handler = handler;
        this.kafka = kafka;
        this.group = settings.intentsGroup();
        this.threads = settings.intentConsumers();
    }

    public void start() {
        start(threads, i -> new KafkaConsumer<>(kafka.consumer(group, i == 0 ? "ipam-intents" : "ipam-intents-" + i)),
                List.of(kafka.topic(Topic.INTENTS)), "intent-consumer");
    }

    @Override
    void applyAll(Connection c, List<Envelope> events) throws SQLException {
        handler.handleBatch(c, events);
    }

    @Override
    void apply(Connection c, Envelope intent) throws SQLException {
        handler.handle(c, intent);
    }
}
