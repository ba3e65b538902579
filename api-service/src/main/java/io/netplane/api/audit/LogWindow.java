package io.netplane.api.audit;

import io.netplane.api.messaging.KafkaSettings;
import io.netplane.api.operations.ApiException;
import io.netplane.events.Topic;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;

/**
 * A time window read from the log itself: a consumer of its own, assigned (no group, so no service's group
 * is touched), positioned per partition with {@code offsetsForTimes} — the first record stamped at or after
 * {@code since}, up to the first stamped at or after {@code until} — and the partitions merged in
 * {@link LoggedEvent#ORDER}. Each partition keeps its own order; a page reads at most {@code limit} records
 * of each.
 */
@ApplicationScoped
public class LogWindow {
    private static final Duration METADATA = Duration.ofSeconds(10);
    private static final Duration READ = Duration.ofSeconds(15);

    @Inject
    KafkaSettings kafka;

    private static final class Part {
        final TopicPartition tp;
        final int rank;
        final long stop;
        final ArrayDeque<LoggedEvent> read = new ArrayDeque<>();
        long position;

        Part(TopicPartition tp, int rank, long start, long stop) {
            this.tp = tp;
            this.rank = rank;
            this.position = start;
            this.stop = stop;
        }
    }

    public AuditPage read(AuditQuery query) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.CLIENT_ID_CONFIG, "netplane-api-audit-window-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(500, query.limit())),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<Part> parts = position(consumer, query);
            fill(consumer, parts, query);
            return merge(parts, query);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new ApiException(503, "cannot read the event log: " + e.getMessage());
        }
    }

    private List<Part> position(KafkaConsumer<byte[], byte[]> consumer, AuditQuery query) {
        Map<TopicPartition, Integer> ranks = new LinkedHashMap<>();
        for (int rank = 0; rank < AuditTopics.TOPICS.size(); rank++) {
            Topic topic = AuditTopics.TOPICS.get(rank);
            List<PartitionInfo> infos = consumer.partitionsFor(kafka.topic(topic), METADATA);
            for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
                ranks.put(new TopicPartition(info.topic(), info.partition()), rank);
            }
        }
        consumer.assign(ranks.keySet()); // the offset look-ups below are for assigned partitions
        Map<TopicPartition, Long> end = consumer.endOffsets(ranks.keySet(), METADATA);
        Map<TopicPartition, Long> start = new HashMap<>();
        if (query.cursor() instanceof AuditCursor.Positions positions) {
            ranks.forEach((tp, rank) -> {
                Long next = positions.next().get(new AuditCursor.PartitionRef(rank, tp.partition()));
                if (next != null) {
                    start.put(tp, next);
                }
            });
        } else if (query.since() != null) {
            at(consumer, ranks.keySet(), query.since(), end).forEach(start::put);
        } else {
            start.putAll(consumer.beginningOffsets(ranks.keySet(), METADATA));
        }
        Map<TopicPartition, Long> stop = query.until() == null ? end : at(consumer, ranks.keySet(), query.until(), end);
        List<Part> parts = new ArrayList<>();
        ranks.forEach((tp, rank) -> {
            Long from = start.get(tp);
            if (from != null && from < stop.get(tp)) {
                parts.add(new Part(tp, rank, from, stop.get(tp)));
            }
        });
        return parts;
    }

    /** Per partition: the first offset stamped at or after {@code time}, or the end when none is. */
    private static Map<TopicPartition, Long> at(KafkaConsumer<byte[], byte[]> consumer,
                                                java.util.Collection<TopicPartition> partitions, Instant time,
                                                Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, METADATA);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        partitions.forEach(tp -> {
            OffsetAndTimestamp at = found.get(tp);
            offsets.put(tp, at == null ? end.get(tp) : at.offset());
        });
        return offsets;
    }

    /** Reads each partition until it holds {@code limit} records of the window or reached its stop. */
    private void fill(KafkaConsumer<byte[], byte[]> consumer, List<Part> parts, AuditQuery query) {
        if (parts.isEmpty()) {
            return;
        }
        Map<TopicPartition, Part> byTp = new HashMap<>();
        parts.forEach(p -> byTp.put(p.tp, p));
        consumer.assign(byTp.keySet());
        parts.forEach(p -> consumer.seek(p.tp, p.position));
        long since = query.since() == null ? Long.MIN_VALUE : query.since().toEpochMilli();
        long until = query.until() == null ? Long.MAX_VALUE : query.until().toEpochMilli();
        Instant deadline = Instant.now().plus(READ);
        while (parts.stream().anyMatch(p -> !done(p, query))) {
            if (Instant.now().isAfter(deadline)) {
                throw new ApiException(503, "the event log did not answer within " + READ.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                Part p = byTp.get(new TopicPartition(r.topic(), r.partition()));
                if (p == null || done(p, query) || r.offset() < p.position) {
                    continue;
                }
                p.position = r.offset() + 1;
                if (r.offset() >= p.stop || r.value() == null || r.timestamp() < since || r.timestamp() >= until) {
                    continue; // a stamp out of the window (a producer's clock) is left out, its place passed
                }
                p.read.add(new LoggedEvent(r.topic(), r.partition(), r.offset(), p.rank, r.timestamp(),
                        new String(r.value(), StandardCharsets.UTF_8)));
            }
            for (Part p : parts) {
                if (!done(p, query)) {
                    p.position = Math.max(p.position, consumer.position(p.tp));
                }
            }
            consumer.pause(parts.stream().filter(p -> done(p, query)).map(p -> p.tp).toList());
        }
    }

    private static boolean done(Part p, AuditQuery query) {
        return p.position >= p.stop || p.read.size() >= query.limit();
    }

    private static AuditPage merge(List<Part> parts, AuditQuery query) {
        PriorityQueue<Part> heads = new PriorityQueue<>((a, b) -> LoggedEvent.ORDER.compare(a.read.peek(), b.read.peek()));
        parts.stream().filter(p -> !p.read.isEmpty()).forEach(heads::add);
        List<LoggedEvent> page = new ArrayList<>();
        while (page.size() < query.limit() && !heads.isEmpty()) {
            Part p = heads.poll();
            page.add(p.read.poll());
            if (!p.read.isEmpty()) {
                heads.add(p);
            }
        }
        Map<AuditCursor.PartitionRef, Long> next = new LinkedHashMap<>();
        for (Part p : parts) {
            long from = p.read.isEmpty() ? p.position : p.read.peek().offset();
            if (from < p.stop) {
                next.put(new AuditCursor.PartitionRef(p.rank, p.tp.partition()), from);
            }
        }
        return new AuditPage(page, next.isEmpty() ? null : new AuditCursor.Positions(next));
    }
}
