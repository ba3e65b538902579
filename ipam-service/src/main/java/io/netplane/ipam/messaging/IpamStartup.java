package io.netplane.ipam.messaging;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.kafka.TopicProvisioner;
import io.netplane.ipam.allocation.PredefinedNetworks;
import io.netplane.ipam.outbox.OutboxRelay;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * Start order: topics, predefined networks (host, none; bridge if a node is known already), the outbox relay,
 * then the consumers. Flyway has migrated the schema before this runs.
 */
@ApplicationScoped
public class IpamStartup {
    private static final Logger LOG = Logger.getLogger(IpamStartup.class);

    private final KafkaSettings kafka;
    private final AgroalDataSource dataSource;
    private final PredefinedNetworks predefined;
    private final OutboxRelay relay;
    private final NodeConsumer nodes;
    private final IntentConsumer intents;

    public IpamStartup(KafkaSettings kafka, AgroalDataSource dataSource, PredefinedNetworks predefined,
                       OutboxRelay relay, NodeConsumer nodes, IntentConsumer intents) {
        this.kafka = kafka;
        this.dataSource = dataSource;
        this.predefined = predefined;
        this.relay = relay;
        this.nodes = nodes;
        this.intents = intents;
    }

    /** Set: the process is a replay command (IpamMain), which must publish and consume nothing. */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "netplane.replay")
    java.util.Optional<String> replay;

    void start(@Observes StartupEvent event) throws SQLException {
        if (replay.filter(mode -> !mode.isBlank()).isPresent()) {
            return;
        }
        Set<String> created = TopicProvisioner.ensure(kafka.bootstrap(), kafka.prefix(), (short) 1);
        if (!created.isEmpty()) {
            LOG.infof("created topics %s", created);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                predefined.ensureHostAndNone(c);
                predefined.ensureBridge(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        relay.start();
        relay.signal();
        nodes.start();
        intents.start();
        LOG.infof("ipam-service consuming %s.intents and %s.nodes", kafka.prefix(), kafka.prefix());
    }

    void stop(@Observes ShutdownEvent event) {
        if (replay.filter(mode -> !mode.isBlank()).isPresent()) {
            return;
        }
        intents.stop();
        nodes.stop();
        relay.stop();
    }
}
