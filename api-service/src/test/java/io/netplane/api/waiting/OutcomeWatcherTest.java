package io.netplane.api.waiting;

import io.netplane.api.BrokerPeer;
import io.netplane.api.messaging.KafkaSettings;
import io.netplane.api.stream.EventFeed;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.Cleared;
import io.netplane.events.kafka.TopicProvisioner;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Partitions moving between the projection and the watcher (real broker): what the projection holds the watcher
 * leaves alone, and a partition given back is read from where offering stopped — a record published while the
 * projection held it, and offered by nobody, still reaches the waiting call.
 */
class OutcomeWatcherTest {
    private static final String BOOTSTRAP = System.getProperty("netplane.test.kafka", "127.0.0.1:19092");

    private final String prefix = "nptest-api-watcher-" + BrokerPeer.suffix();
    private OutcomeWatcher watcher;
    private BrokerPeer peer;

    @BeforeEach
    void start() throws Exception {
        TopicProvisioner.ensure(BOOTSTRAP, prefix, (short) 1);
        KafkaSettings kafka = new KafkaSettings();
        set(kafka, "bootstrapServers", BOOTSTRAP);
        set(kafka, "prefix", prefix);
        set(kafka, "projectionGroup", prefix + "-projection");
        watcher = new OutcomeWatcher();
        watcher.kafka = kafka;
        watcher.waiters = new Waiters();
        watcher.feed = new EventFeed();
        watcher.start();
        peer = new BrokerPeer(BOOTSTRAP, prefix);
    }

    @AfterEach
    void stop() {
        watcher.stop();
        peer.close();
    }

    @Test
    void aPartitionGivenBackIsReadFromWhereOfferingStopped() throws Exception {
        ClearedWaiter first = waitFor("endpoint-1");
        peer.publish(cleared("endpoint-1"));
        assertEquals(200, first.outcome().get(10, TimeUnit.SECONDS).status(), "the watcher reads every partition");

        List<TopicPartition> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                BOOTSTRAP), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (Topic topic : List.of(Topic.CHANGES, Topic.STATUS)) {
                c.partitionsFor(topic.name(prefix)).forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
            }
        }
        watcher.projectedHere(all);
        Thread.sleep(1_000);
        ClearedWaiter second = waitFor("endpoint-2");
        peer.publish(cleared("endpoint-2"));
        assertThrows(TimeoutException.class, () -> second.outcome().get(2, TimeUnit.SECONDS),
                "held by the projection: the watcher leaves it to the projection, which (here) offers nothing");

        watcher.projectedElsewhere(all);
        assertEquals(200, second.outcome().get(10, TimeUnit.SECONDS).status(),
                "given back: read from where offering stopped, so the record nobody offered is found");

        ClearedWaiter third = waitFor("endpoint-3");
        peer.publish(cleared("endpoint-3"));
        assertEquals(200, third.outcome().get(10, TimeUnit.SECONDS).status(), "and the watcher goes on");
    }

    private ClearedWaiter waitFor(String endpointId) {
        ClearedWaiter waiter = new ClearedWaiter(endpointId);
        watcher.waiters.register(waiter);
        return waiter;
    }

    private static Envelope cleared(String endpointId) {
        return BrokerPeer.event(EventType.ENDPOINT_CLEARED, null, Subject.sandbox("sandbox-of-" + endpointId), "node-1",
                new Cleared(endpointId, "node-1"));
    }

    /** Done at the endpoint's endpoint.cleared. */
    private static final class ClearedWaiter extends Waiter {
        private final String endpointId;

        ClearedWaiter(String endpointId) {
            super("correlation-" + endpointId, Set.of(endpointId));
            this.endpointId = endpointId;
        }

        @Override
        protected boolean accept(Envelope event) {
            if (event.is(EventType.ENDPOINT_CLEARED) && endpointId.equals(event.data(Cleared.class).id())) {
                complete(200, null);
                return true;
            }
            return false;
        }

        @Override
        protected void decide() {
        }
    }

    private static void set(Object target, String field, Object value) throws ReflectiveOperationException {
        var f = target.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }
}
