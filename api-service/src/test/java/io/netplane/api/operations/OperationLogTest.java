package io.netplane.api.operations;

import io.netplane.api.readmodel.OperationEntry;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The api commits without waiting for the WAL flush, except an operation whose id its caller is handed to follow. */
@QuarkusTest
class OperationLogTest {
    @Inject
    OperationLog operations;

    @Test
    void onlyAnOperationHandedOutWaitsForTheFlush() {
        assertEquals("off", QuarkusTransaction.requiringNew().call(OperationLogTest::synchronousCommit),
                "the read model's transactions (the projection's) wait for no flush");
        assertEquals("off", QuarkusTransaction.requiringNew().call(() -> {
            operations.open(UUID.randomUUID().toString(), OperationEntry.REMOVE_NODE, "n", "n", "test",
                    new CallOptions(false, Duration.ofSeconds(5)));
            return synchronousCommit();
        }), "a synchronous call is answered from its outcome");
        String async = UUID.randomUUID().toString();
        assertEquals("on", QuarkusTransaction.requiringNew().call(() -> {
            operations.open(async, OperationEntry.REMOVE_NODE, "n", "n", "test", new CallOptions(true, Duration.ZERO));
            return synchronousCommit();
        }), "an async call's 202 hands out the operation's id");
        String timedOut = UUID.randomUUID().toString();
        QuarkusTransaction.requiringNew().run(() -> operations.open(timedOut, OperationEntry.REMOVE_NODE, "n", "n",
                "test", new CallOptions(false, Duration.ofSeconds(5))));
        assertEquals("on", QuarkusTransaction.requiringNew().call(() -> {
            operations.timedOut(timedOut);
            return synchronousCommit();
        }), "a timeout's 504 hands out the operation's id");
        assertEquals(OperationEntry.TIMEOUT, operations.find(timedOut).orElseThrow().state);
    }

    private static String synchronousCommit() {
        return (String) Panache.getEntityManager().createNativeQuery("show synchronous_commit").getSingleResult();
    }
}
