package io.netplane.api.messaging;

import io.netplane.events.Topic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The partitions of a topic once the broker shows all of them. Right after TopicProvisioner created a
 * topic, its metadata may still be missing: a consumer that assigned or subscribed then would miss it.
 */
public final class TopicPartitions {
    private static final Logger LOG = Logger.getLogger(TopicPartitions.class);

    private TopicPartitions() {
    }

    public static List<TopicPartition> await(Consumer<?, ?> consumer, String prefix, Topic topic, Duration timeout) {
        String name = topic.name(prefix);
        Instant deadline = Instant.now().plus(timeout);
        List<PartitionInfo> found = List.of();
        while (Instant.now().isBefore(deadline)) {
            found = consumer.partitionsFor(name, Duration.ofSeconds(5));
            if (found != null && found.size() >= topic.partitions()) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (found == null || found.isEmpty()) {
            throw new IllegalStateException("topic " + name + " has no partitions after " + timeout);
        }
        if (found.size() < topic.partitions()) {
            LOG.warnf("topic %s has %d partitions, %d expected", name, found.size(), topic.partitions());
        }
        return found.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }
}
