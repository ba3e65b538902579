package io.netplane.ipam.api;

import io.agroal.api.AgroalDataSource;
import io.netplane.ipam.messaging.IntentConsumer;
import io.netplane.ipam.messaging.NodeConsumer;
import io.netplane.ipam.outbox.OutboxRelay;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** UP when the schema is migrated, both consumers poll and the outbox relay runs. */
@Readiness
@ApplicationScoped
public class IpamReadiness implements HealthCheck {
    private final AgroalDataSource dataSource;
    private final IntentConsumer intents;
    private final NodeConsumer nodes;
    private final OutboxRelay relay;

    public IpamReadiness(AgroalDataSource dataSource, IntentConsumer intents, NodeConsumer nodes, OutboxRelay relay) {
        this.dataSource = dataSource;
        this.intents = intents;
        this.nodes = nodes;
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        boolean migrated = migrated();
        return HealthCheckResponse.named("ipam")
                .status(migrated && intents.running() && nodes.running() && relay.running())
                .withData("schema", migrated)
                .withData("intents", intents.running())
                .withData("nodes", nodes.running())
                .withData("outbox", relay.running())
                .build();
    }

    private boolean migrated() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("select count(*) from flyway_schema_history where success");
             ResultSet row = select.executeQuery()) {
            return row.next() && row.getInt(1) > 0;
        } catch (Exception e) {
            return false;
        }
    }
}
