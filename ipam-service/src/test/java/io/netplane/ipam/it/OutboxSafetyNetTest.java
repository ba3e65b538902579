package io.netplane.ipam.it;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Keys;
import io.netplane.events.data.Network;
import io.netplane.ipam.outbox.OutboxRelay;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.netplane.ipam.it.TestBroker.createIntent;
import static io.netplane.ipam.it.TestBroker.newId;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A crash between the commit and the publication: the allocation and its outbox rows are committed while no
 * relay runs; a relay started afterwards (as after a restart, without any signal) publishes them from its
 * periodic poll, in order, exactly once.
 */
@ExtendWith(RequiresServices.class)
@QuarkusTest
@TestProfile(OwnTopics.Relay.class)
class OutboxSafetyNetTest {
    private static TestBroker broker;

    @Inject
    OutboxRelay relay;

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        broker = new TestBroker();
    }

    @AfterAll
    static void disconnect() {
        broker.close();
    }

    private int count(String sql) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet row = s.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    @Test
    void rowsCommittedWhileNoRelayRanArePublishedByThePoll() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> count("select count(*) from outbox where published_at is null") == 0);
        relay.stop();
        String id = newId();
        Envelope intent = broker.send(createIntent(id, "crash-window", "bridge", List.of(), Map.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> count(
                "select count(*) from processed_intents where intent_id = '" + intent.id() + "' and outcome = 'network.created'") == 1);
        assertEquals(2, count("select count(*) from outbox where published_at is null"));
        Thread.sleep(500);
        assertTrue(broker.outcomes(intent).isEmpty(), "nothing is published while no relay runs");

        relay.start(); // no signal: only the poll can find the rows
        Envelope created = broker.outcome(intent);
        assertEquals(id, created.data(Network.class).id());
        Network desired = broker.awaitDesired(Keys.desiredNetwork(id), s -> s.value() != null).value().data(Network.class);
        assertEquals(created.data(Network.class), desired);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("select count(*) from outbox where published_at is null") == 0);
        Thread.sleep(1_500); // more polls: nothing goes out twice
        assertEquals(1, broker.outcomes(intent).size());
        assertEquals(1, broker.desired(Keys.desiredNetwork(id)).size());
        assertTrue(broker.changes(e -> e.is(EventType.NETWORK_CREATED)).size() >= 3, "host, none and the network");
    }
}
