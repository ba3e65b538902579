package io.netplane.api.projection;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Read-your-writes for calls answered ahead of the projection: requests wait until the read model has those records. */
class ProjectionProgressTest {
    private static final TopicPartition STATUS_2 = new TopicPartition("np.status", 2);
    private static final TopicPartition CHANGES_2 = new TopicPartition("np.changes", 2);

    @Test
    void nothingAnsweredAheadMeansNoWait() throws InterruptedException {
        ProjectionProgress progress = new ProjectionProgress();
        assertTrue(progress.awaitAnswered(Instant.now()));
    }

    @Test
    void aRequestWaitsUntilTheProjectionHasEveryRecordAnAnswerWasGivenOn() throws Exception {
        ProjectionProgress progress = new ProjectionProgress();
        progress.assigned(List.of(STATUS_2, CHANGES_2)); // projected by this replica: no database to ask
        progress.applied(CHANGES_2, 40);
        progress.answeredAhead(Map.of(CHANGES_2, 41L, STATUS_2, 7L));
        progress.answeredAhead(Map.of(STATUS_2, 5L)); // an older answer does not lower the mark

        assertFalse(progress.awaitAnswered(Instant.now().plusMillis(50)), "nothing of it is projected yet");
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return progress.awaitAnswered(Instant.now().plus(Duration.ofSeconds(10)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        progress.applied(CHANGES_2, 41);
        progress.applied(STATUS_2, 6);
        Thread.sleep(50);
        assertFalse(waiting.isDone(), "status 7 is not projected yet");
        progress.applied(STATUS_2, 7);
        assertTrue(waiting.get(5, TimeUnit.SECONDS));
        assertTrue(progress.awaitAnswered(Instant.now()));
    }

    @Test
    void aConnectOrDisconnectWaitsOnlyForItsOwnSandboxsAnswers() throws Exception {
        ProjectionProgress progress = new ProjectionProgress();
        progress.assigned(List.of(STATUS_2, CHANGES_2));
        progress.applied(CHANGES_2, 40);
        progress.applied(STATUS_2, 6);
        progress.answeredAhead("sandbox-a", Map.of(CHANGES_2, 41L));
        progress.answeredAhead("sandbox-b", Map.of(STATUS_2, 7L));

        assertFalse(progress.awaitAnswered("sandbox-a", Instant.now().plusMillis(50)), "a's answer is not projected yet");
        assertTrue(progress.awaitAnswered("sandbox-c", Instant.now()), "nothing was answered ahead on c");
        progress.applied(CHANGES_2, 41);
        assertTrue(progress.awaitAnswered("sandbox-a", Instant.now()), "a's own answer is projected; b's is not");
        assertFalse(progress.awaitAnswered("sandbox-b", Instant.now().plusMillis(50)));
        assertFalse(progress.awaitAnswered(Instant.now().plusMillis(50)), "any other request still waits for b's");
        progress.applied(STATUS_2, 7);
        assertTrue(progress.awaitAnswered("sandbox-b", Instant.now()));
        assertTrue(progress.awaitAnswered(Instant.now()));
    }
}
