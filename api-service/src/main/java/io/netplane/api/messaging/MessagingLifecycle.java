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

    void onStart(@Observes StartupEvent start) {
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
        audit.stop();
        projection.stop();
        outcomes.stop();
        intents.stop();
    }
}
