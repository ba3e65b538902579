package io.netplane.api.messaging;

import io.netplane.events.Topic;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Where the broker is and which topic names this stack uses. */
@ApplicationScoped
public class KafkaSettings {
    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "127.0.0.1:9092")
    String bootstrapServers;

    @ConfigProperty(name = "netplane.topics.prefix", defaultValue = Topic.DEFAULT_PREFIX)
    String prefix;

    @ConfigProperty(name = "netplane.api.projection-group", defaultValue = "netplane-api-projection")
    String projectionGroup;

    public String bootstrapServers() { return bootstrapServers; }

    public String prefix() { return prefix; }

    public String topic(Topic topic) { return topic.name(prefix); }

    public String projectionGroup() { return projectionGroup; }
}
