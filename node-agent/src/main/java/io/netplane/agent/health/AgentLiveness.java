package io.netplane.agent.health;

import io.netplane.agent.AgentLifecycle;
import io.netplane.agent.NodeAgent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** UP while the kernel thread, the desired informer and the heartbeat run. */
@Liveness
@ApplicationScoped
public class AgentLiveness implements HealthCheck {
    @Inject
    AgentLifecycle lifecycle;

    @Override
    public HealthCheckResponse call() {
        NodeAgent agent = lifecycle.agent();
        var response = HealthCheckResponse.named("node-agent threads");
        if (agent == null) {
            return response.up().withData("state", "starting").build();
        }
        if (agent.problem() != null) {
            response.withData("problem", agent.problem());
        }
        return response.status(agent.isLive()).build();
    }
}
