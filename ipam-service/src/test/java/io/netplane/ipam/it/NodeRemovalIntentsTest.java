package io.netplane.ipam.it;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Keys;
import io.netplane.events.Subject;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.Network;
import io.netplane.events.data.NodeRemoveRequested;
import io.netplane.events.data.NodeRemoved;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxRemoved;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.netplane.ipam.it.TestBroker.newId;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code node.remove.requested} through the real broker and database: every sandbox of the node is released
 * (facts, desired tombstones), its addresses and host ports are free again, other nodes keep theirs.
 * Shares the app of {@link SandboxIntentsTest} (same profile); its names and subnets are its own.
 */
@ExtendWith(RequiresServices.class)
@QuarkusTest
@TestProfile(OwnTopics.Sandboxes.class)
class NodeRemovalIntentsTest {
    private static final String GONE = "node-gone-" + newId().substring(0, 6);
    private static final String STAYS = "node-stays-" + newId().substring(0, 6);
    private static TestBroker broker;

    @BeforeAll
    static void connect() {
        broker = new TestBroker();
        broker.announce(GONE, List.of());
        broker.announce(STAYS, List.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> !broker.changes(e -> e.is(EventType.NETWORK_CREATED)
                && e.data(Network.class).name().equals("bridge")).isEmpty());
    }

    @AfterAll
    static void disconnect() {
        broker.close();
    }

    private static List<Envelope> create(String node, String name, Network n, List<PortBinding> ports) {
        String id = newId();
        Envelope intent = broker.send(Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(id),
                new SandboxCreateRequested(id, name, node, "bridge", name, null,
                        List.of(new EndpointRequest(n.id(), newId(), null, List.of())), ports), "test"));
        List<Envelope> outcomes = await().atMost(Duration.ofSeconds(20)).until(() -> broker.outcomes(intent),
                l -> !l.isEmpty() && (!l.get(0).is(EventType.SANDBOX_SCHEDULED) || l.size() >= 2));
        assertTrue(outcomes.get(0).is(EventType.SANDBOX_SCHEDULED), outcomes::toString);
        return outcomes;
    }

    private static Endpoint endpoint(List<Envelope> outcomes) {
        return outcomes.get(1).data(Endpoint.class);
    }

    @Test
    void removingANodeReleasesItsSandboxesAddressesAndPortsOnly() {
        Network n = broker.create("nr-net", "10.141.0.0/24", null, null).data(Network.class);
        Endpoint a = endpoint(create(GONE, "nr-a", n, List.of(new PortBinding("tcp", "", 18480, 80))));
        Endpoint b = endpoint(create(GONE, "nr-b", n, List.of(new PortBinding("tcp", "", 0, 80))));
        Endpoint kept = endpoint(create(STAYS, "nr-kept", n, List.of(new PortBinding("tcp", "", 18480, 80))));
        int ephemeral = b.ports().get(0).hostPort();

        Envelope intent = broker.send(Envelope.of(EventType.NODE_REMOVE_REQUESTED, Subject.node(GONE),
                new NodeRemoveRequested(GONE), "admin"));
        Envelope removed = await().atMost(Duration.ofSeconds(20)).until(() -> broker.outcomes(intent).stream()
                .filter(e -> e.is(EventType.NODE_REMOVED)).findFirst().orElse(null), e -> e != null);
        assertEquals(intent.correlationId(), removed.correlationId());
        assertEquals(Set.of(a.sandboxId(), b.sandboxId()), Set.copyOf(removed.data(NodeRemoved.class).sandboxIds()));
        List<Envelope> facts = broker.outcomes(intent);
        assertEquals(Set.of(a.id(), b.id()), facts.stream().filter(e -> e.is(EventType.ENDPOINT_RELEASED))
                .map(e -> e.data(EndpointReleased.class).endpointId()).collect(Collectors.toSet()));
        assertEquals(Set.of(a.sandboxId(), b.sandboxId()), facts.stream().filter(e -> e.is(EventType.SANDBOX_REMOVED))
                .map(e -> e.data(SandboxRemoved.class).sandboxId()).collect(Collectors.toSet()));
        for (String key : List.of(Keys.desiredEndpoint(a.id()), Keys.desiredEndpoint(b.id()),
                Keys.desiredSandbox(a.sandboxId()), Keys.desiredSandbox(b.sandboxId()))) {
            assertNull(broker.awaitDesired(key, s -> s.value() == null).value(), key + " has a tombstone");
        }
        assertTrue(broker.desired(Keys.desiredEndpoint(kept.id())).stream().allMatch(s -> s.value() != null),
                "the other node's endpoint stays");

        // the node's address, names, explicit and ephemeral ports are free again; the other node kept its port
        Endpoint again = endpoint(create(GONE, "nr-a", n, List.of(new PortBinding("tcp", "", 18480, 80),
                new PortBinding("tcp", "", 0, 81))));
        assertEquals(a.addresses().get(0).address(), again.addresses().get(0).address(), "lowest free address reused");
        assertEquals(List.of(18480, ephemeral), again.ports().stream().map(PortBinding::hostPort).toList());
        String id = newId();
        Envelope clash = broker.send(Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(id),
                new SandboxCreateRequested(id, "nr-clash", STAYS, "bridge", "x", null,
                        List.of(new EndpointRequest(n.id(), newId(), null, List.of())),
                        List.of(new PortBinding("tcp", "", 18480, 80))), "test"));
        assertTrue(broker.outcome(clash).is(EventType.SANDBOX_REJECTED), "18480 is still taken on " + STAYS);
    }

    @Test
    void removingAnEmptyOrUnknownNodeIsANoOp() {
        Envelope intent = broker.send(Envelope.of(EventType.NODE_REMOVE_REQUESTED, Subject.node("nr-never-seen"),
                new NodeRemoveRequested("nr-never-seen"), "admin"));
        Envelope outcome = broker.outcome(intent);
        assertTrue(outcome.is(EventType.NODE_REMOVED), outcome::toString);
        assertEquals(List.of(), outcome.data(NodeRemoved.class).sandboxIds());
    }
}
