package io.netplane.agent.health;

import io.netplane.agent.AgentLifecycle;
import io.netplane.agent.NodeAgent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** UP once the node joined and the initial list of desired is converged in the kernel. */
@Readiness
@ApplicationScoped
public class AgentReadiness implements HealthCheck {
    @Inject
    AgentLifecycle lifecycle;

    @Override
    public HealthCheckResponse call() {
        NodeAgent agent = lifecycle.agent();
        var response = HealthCheckResponse.named("node-agent");
        if (agent == null) {
            return response.down().withData("reason", "not started").build();
        }
        response.withData("node", agent.node()).withData("joined", agent.isJoined());
        if (agent.problem() != null) {
            response.withData("problem", agent.problem());
        }
        return response.status(agent.isReady()).build();
    }
}
