package io.netplane.api.operations;

import io.netplane.api.messaging.IntentPublisher;
import io.netplane.api.projection.ProjectionProgress;
import io.netplane.api.waiting.Outcome;
import io.netplane.api.waiting.Waiter;
import io.netplane.api.waiting.Waiters;
import io.netplane.events.Envelope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What every mutating call shares: publish the intent, wait for its outcome, let the read model catch up. */
@ApplicationScoped
public class IntentCalls {
    private static final Logger LOG = Logger.getLogger(IntentCalls.class);
    /** After the outcome, how long to let the read model catch up before answering from the events alone. */
    private static final Duration CATCH_UP = Duration.ofSeconds(2);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    OperationLog operations;
    @Inject
    IntentPublisher intents;
    @Inject
    Waiters waiters;
    @Inject
    ProjectionProgress progress;

    /** @return the outcome, or null when the call is async or timed out (the operation goes on). */
    public Outcome publishAndWait(Envelope intent, Waiter waiter, CallOptions call) {
        if (call.async()) {
            publish(intent);
            return null;
        }
        waiters.register(waiter); // before publishing: an answer can come back at once
        try {
            publish(intent);
            return waiter.outcome().get(call.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            operations.timedOut(intent.correlationId());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while waiting for " + intent.type(), intent.correlationId());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            waiters.unregister(waiter);
        }
    }

    private void publish(Envelope intent) {
        try {
            intents.publish(intent);
        } catch (IntentPublisher.IntentNotPublishedException e) {
            operations.notPublished(intent.correlationId(), e.getMessage());
            throw new ApiException(503, e.getMessage(), intent.correlationId());
        }
    }

    /** The answer of a call that is async (202) or did not finish in time (504). */
    public CallResult pending(String operation, CallOptions call, String what) {
        return call.async() ? new CallResult(CallResult.ACCEPTED, operation, null, null)
                : new CallResult(CallResult.STILL_RUNNING, operation,
                        what + " did not finish within " + call.timeout().toMillis() + " ms: still in progress", null);
    }

    /** So that a read right after the answer shows what the answer said. */
    public void catchUp(Outcome outcome) {
        try {
            progress.awaitApplied(outcome.seen(), Instant.now().plus(CATCH_UP));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * For an answer that needs nothing from the read model (Docker's connect and disconnect answer 200 with no
     * body): no wait for the projection's transaction; the next request of this replica waits for it instead
     * ({@link ReadsAfterAnswers}), and the next disconnect of the sandbox ({@link #readAfterAnswersOn}),
     * so a read right after still shows it.
     */
    public void answerAhead(String sandboxId, Outcome outcome) {
        progress.answeredAhead(sandboxId, outcome.seen());
    }

    /** Read-your-writes for a request that reads only what calls on this sandbox changed. */
    public void readAfterAnswersOn(String sandboxId) {
        try {
            if (!progress.awaitAnswered(sandboxId, Instant.now().plus(CATCH_UP))) {
                LOG.warnf("the read model did not catch up with answered calls on sandbox %s within %d ms", sandboxId,
                        CATCH_UP.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A new network, sandbox or endpoint id: 64 random hex, as Docker's. */
    public static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
