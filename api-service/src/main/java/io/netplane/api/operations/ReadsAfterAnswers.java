package io.netplane.api.operations;

import io.netplane.api.projection.ProjectionProgress;
import io.vertx.core.Context;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.time.Duration;
import java.time.Instant;

/**
 * Every request of this replica first waits until the read model shows the calls it answered ahead of the
 * projection ({@link IntentCalls#answerAhead}): a GET right after such an answer finds what it said. A method
 * marked {@link ReadsOnlyItsSandbox} waits only for its own sandbox's answers, once it knows the sandbox.
 */
public class ReadsAfterAnswers {
    private static final Logger LOG = Logger.getLogger(ReadsAfterAnswers.class);
    /** As {@link IntentCalls}' catch-up: past it the request reads what there is. */
    private static final Duration LONGEST = Duration.ofSeconds(2);

    @Inject
    ProjectionProgress progress;

    @ServerRequestFilter
    public void awaitAnswered(ResourceInfo resource) {
        if (Context.isOnEventLoopThread()) {
            return; // a non-blocking endpoint (the event stream): it reads no read model
        }
        if (resource.getResourceMethod() != null && resource.getResourceMethod().isAnnotationPresent(ReadsOnlyItsSandbox.class)) {
            return;
        }
        try {
            if (!progress.awaitAnswered(Instant.now().plus(LONGEST))) {
                LOG.warnf("the read model did not catch up with answered calls within %d ms", LONGEST.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
