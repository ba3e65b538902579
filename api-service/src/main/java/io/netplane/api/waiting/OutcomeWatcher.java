package io.netplane.api.waiting;

import io.netplane.api.messaging.KafkaSettings;
import io.netplane.api.messaging.TopicPartitions;
import io.netplane.api.stream.EventFeed;
import io.netplane.events.Envelope;
import io.netplane.events.Topic;
import io.netplane.events.kafka.EnvelopeDeserializer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Offers this replica's waiting calls (and its live updates) every record of changes and status, once: the
 * partitions this replica's projection holds are read by the projection, which hands each record here as it polls
 * it ({@link #offer}); the others this watcher reads itself, with its own consumer (no group, from the end). One
 * read of each record instead of two. As partitions move between the projection and the watcher, the offset offered
 * up to in each moves with them, so no record is missed and none is offered twice.
 */
@ApplicationScoped
public class OutcomeWatcher {
    private static final Logger LOG = Logger.getLogger(OutcomeWatcher.class);
    private static final List<Topic> TOPICS = List.of(Topic.CHANGES, Topic.STATUS);

    @Inject
    KafkaSettings kafka;
    @Inject
    Waiters waiters;
    @Inject
    EventFeed feed;

    /** Per partition: the offset after the last record offered (by whichever reader held it then). */
    private final Map<TopicPartition, Long> offered = new ConcurrentHashMap<>();
    /** Partitions the projection took or gave back, in order; the watcher's thread applies them. */
    private final BlockingDeque<Runnable> moves = new LinkedBlockingDeque<>();
    private final Set<TopicPartition> watched = new HashSet<>();
    private volatile Set<String> topicNames = Set.of();
    private volatile boolean assigned;
    private volatile boolean running;
    private KafkaConsumer<String, Envelope> consumer;
    private Thread thread;

    public boolean assigned() {
        return assigned;
    }

    /** Returns once every partition is positioned at its end: from then on no answer is missed. */
    public void start() {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.CLIENT_ID_CONFIG, "netplane-api-outcomes",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new EnvelopeDeserializer());
        topicNames = TOPICS.stream().map(kafka::topic).collect(Collectors.toUnmodifiableSet());
        for (Topic topic : TOPICS) {
            watched.addAll(TopicPartitions.await(consumer, kafka.prefix(), topic, Duration.ofSeconds(30)));
        }
        consumer.assign(watched);
        consumer.seekToEnd(watched);
        for (TopicPartition p : watched) {
            offered.merge(p, consumer.position(p, Duration.ofSeconds(30)), Math::max); // seekToEnd is lazy
        }
        assigned = true;
        running = true;
        thread = new Thread(this::run, "api-outcomes");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether this watcher serves the topic (the projection offers only these). */
    public boolean serves(String topic) {
        return topicNames.contains(topic);
    }

    /**
     * The projection of this replica reads these partitions from now on and offers their records. It must read
     * each from {@link #offeredUpTo} or earlier, so that nothing after what was offered is skipped.
     */
    public void projectedHere(Collection<TopicPartition> partitions) {
        List<TopicPartition> taken = partitions.stream().filter(p -> serves(p.topic())).toList();
        if (!taken.isEmpty()) {
            moves.add(() -> taken.forEach(watched::remove));
            consumer.wakeup();
        }
    }

    /** The projection gave these partitions up: the watcher reads them again, from where offering stopped. */
    public void projectedElsewhere(Collection<TopicPartition> partitions) {
        List<TopicPartition> given = partitions.stream().filter(p -> serves(p.topic())).toList();
        if (!given.isEmpty()) {
            moves.add(() -> given.forEach(watched::add));
            consumer.wakeup();
        }
    }

    /** The offset after the last record offered in the partition, or null when none is known. */
    public Long offeredUpTo(TopicPartition partition) {
        return offered.get(partition);
    }

    /** Offers the record unless this replica offered it already (a partition read again after it moved). */
    public void offer(TopicPartition partition, long offset, String key, Envelope event) {
        boolean[] fresh = new boolean[1];
        offered.compute(partition, (p, next) -> {
            if (next != null && offset < next) {
                return next;
            }
            fresh[0] = true;
            return offset + 1;
        });
        if (!fresh[0]) {
            return;
        }
        try {
            waiters.offer(partition, offset, key, event);
            feed.offer(event); // the live updates (/api/v1/events/stream) of this replica
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot match %s@%d to a waiting call", partition, offset);
        }
    }

    private Iterable<ConsumerRecord<String, Envelope>> poll() throws InterruptedException {
        if (watched.isEmpty()) { // all projected here: nothing to read until a partition comes back
            Runnable move = moves.pollFirst(500, TimeUnit.MILLISECONDS);
            if (move != null) {
                moves.addFirst(move); // applied in order with the rest, by reassign()
            }
            return List.of();
        }
        try {
            return consumer.poll(Duration.ofMillis(500));
        } catch (RecordDeserializationException e) {
            LOG.errorf("unreadable record %s@%d skipped: %s", e.topicPartition(), e.offset(), e.getMessage());
            offered.merge(e.topicPartition(), e.offset() + 1, Math::max);
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return List.of();
        }
    }

    /** Applies the projection's moves; a partition it gave back is read from where offering stopped. */
    private void reassign() {
        if (moves.isEmpty()) {
            return;
        }
        Set<TopicPartition> before = Set.copyOf(watched);
        Runnable move;
        while ((move = moves.poll()) != null) {
            move.run();
        }
        if (watched.equals(before)) {
            return;
        }
        consumer.assign(watched);
        for (TopicPartition p : watched) {
            if (!before.contains(p)) {
                Long next = offered.get(p);
                if (next == null) {
                    consumer.seekToEnd(List.of(p));
                } else {
                    consumer.seek(p, next);
                }
            }
        }
    }

    private void run() {
        try {
            while (running) {
                try {
                    reassign();
                    for (ConsumerRecord<String, Envelope> record : poll()) {
                        offer(new TopicPartition(record.topic(), record.partition()), record.offset(), record.key(),
                                record.value());
                    }
                } catch (WakeupException e) {
                    // a move to apply, or stop()
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the outcome watcher stopped: synchronous calls will time out", e);
        } finally {
            assigned = false;
            consumer.close();
        }
    }
}
