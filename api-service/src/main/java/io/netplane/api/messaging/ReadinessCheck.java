package io.netplane.api.messaging;

import io.netplane.api.projection.ProjectionConsumer;
import io.netplane.api.waiting.OutcomeWatcher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;

/** Ready when the read model's schema is migrated and both consumers have their partitions. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    @Inject
    Flyway flyway;
    @Inject
    OutcomeWatcher outcomes;
    @Inject
    ProjectionConsumer projection;

    @Override
    public HealthCheckResponse call() {
        boolean migrated;
        try {
            migrated = flyway.info().pending().length == 0;
        } catch (RuntimeException e) {
            migrated = false;
        }
        return HealthCheckResponse.named("api read model and consumers")
                .status(migrated && outcomes.assigned() && projection.assigned())
                .withData("schemaMigrated", migrated)
                .withData("outcomeWatcherAssigned", outcomes.assigned())
                .withData("projectionAssigned", projection.assigned())
                .build();
    }
}
