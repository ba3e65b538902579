package io.netplane.api.messaging;

import io.netplane.api.audit.AuditIndexer;
import io.netplane.api.projection.ProjectionConsumer;
import io.netplane.api.waiting.OutcomeWatcher;
import io.netplane.events.kafka.TopicProvisioner;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Set;

/**
 * Starts the Kafka side in order: topics first (a fresh broker or a test prefix has none), then the
 * outcome watcher (positioned before any call can publish), the projection, the intent producer and the
 * audit indexer.
 */
@ApplicationScoped
public class MessagingLifecycle {
    private static final Logger LOG = Logger.getLogger(MessagingLifecycle.class);

    @Inject
    KafkaSettings kafka;
    @Inject
    IntentPublisher intents;
    @Inject
    OutcomeWatcher outcomes;
    @Inject
    ProjectionConsumer projection;
    @Inject
    AuditIndexer audit;

    /** Set: the process is a replay command (ApiMain), which must publish and consume nothing. */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "netplane.replay")
    java.util.Optional<String> replay;

    void onStart(@Observes StartupEvent start) {
        if (replay.filter(mode -> !mode.isBlank()).isPresent()) {
            return;
        }
        Set<String> created = TopicProvisioner.ensure(kafka.bootstrapServers(), kafka.prefix(), (short) 1);
        if (!created.isEmpty()) {
            LOG.infof("created topics %s", created);
        }
        intents.start();
        outcomes.start();
        projection.start();
        audit.start();
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (replay.filter(mode -> !mode.isBlank()).isPresent()) {
            return;
        }
        audit.stop();
        projection.stop();
        outcomes.stop();
        intents.stop();
    }
}
