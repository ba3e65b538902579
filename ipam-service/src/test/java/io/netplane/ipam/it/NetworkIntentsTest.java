package io.netplane.ipam.it;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Keys;
import io.netplane.events.data.IpamConfig;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.SubnetAllocation;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.netplane.ipam.it.TestBroker.createIntent;
import static io.netplane.ipam.it.TestBroker.newId;
import static io.netplane.ipam.it.TestBroker.removeIntent;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Create and remove through real intents on the broker: outcomes on changes, records and tombstones on
 * desired, every refusal with its status and message, idempotency, predefined networks. One node (with no
 * routes of its own) has joined, so the default bridge exists on 172.17.0.0/16.
 */
@ExtendWith(RequiresServices.class)
@QuarkusTest
@TestProfile(OwnTopics.Intents.class)
class NetworkIntentsTest {
    private static TestBroker broker;

    @BeforeAll
    static void connect() {
        broker = new TestBroker();
        broker.announce("node-a", List.of("192.0.2.0/24"));
        awaitPredefined("bridge");
    }

    @AfterAll
    static void disconnect() {
        broker.close();
    }

    private static Network predefined(String name) {
        return broker.changes(e -> e.is(EventType.NETWORK_CREATED) && e.data(Network.class).name().equals(name)).stream()
                .findFirst().map(s -> s.value().data(Network.class)).orElse(null);
    }

    private static Network awaitPredefined(String name) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> predefined(name), n -> n != null);
    }

    private static Rejection rejected(Envelope intent) {
        Envelope outcome = broker.outcome(broker.send(intent));
        assertTrue(outcome.is(EventType.NETWORK_REJECTED), () -> "expected a rejection, got " + outcome);
        return outcome.data(Rejection.class);
    }

    private static void assertRejected(int status, String message, Envelope intent) {
        Rejection r = rejected(intent);
        assertEquals(message, r.message());
        assertEquals(status, r.status(), message);
    }

    private static Envelope withSubnet(String name, String subnet, String range, String gateway) {
        return createIntent(newId(), name, "bridge", List.of(new IpamConfig(subnet, range, gateway, Map.of())), Map.of());
    }

    @Test
    void predefinedNetworksExistAndCannotBeRemoved() {
        Network bridge = awaitPredefined("bridge");
        assertEquals(List.of(new SubnetAllocation(io.netplane.events.data.Family.ipv4, "172.17.0.0/16", "172.17.0.1",
                null, true, false)), bridge.subnets());
        assertEquals("nptest0", bridge.bridge());
        assertEquals("true", bridge.options().get("com.docker.network.bridge.default_bridge"));
        assertEquals("nptest0", bridge.options().get("com.docker.network.bridge.name"));
        assertTrue(bridge.predefined());
        assertEquals("local", bridge.scope());
        Network host = awaitPredefined("host");
        Network none = awaitPredefined("none");
        assertEquals("host", host.driver());
        assertEquals("null", none.driver());
        assertTrue(host.subnets().isEmpty());
        assertEquals(64, none.id().length());

        TestBroker.Seen desired = broker.awaitDesired(Keys.desiredNetwork(bridge.id()), s -> s.value() != null);
        assertEquals(bridge, desired.value().data(Network.class));

        for (Network n : List.of(bridge, host, none)) {
            assertRejected(403, n.name() + " is a pre-defined network and cannot be removed", removeIntent(n.id()));
        }
        RestAssured.get("/ipam/networks/" + bridge.id()).then().statusCode(200)
                .body("network.name", is("bridge"), "subnets[0].gateway", is("172.17.0.1"));
        assertRejected(403, "operation is not permitted on predefined bridge network ",
                createIntent(newId(), "bridge", "bridge", List.of(), Map.of()));
    }

    @Test
    void createPublishesTheFactAndTheDesiredRecordWithTheCorrelation() {
        String id = newId();
        Envelope intent = broker.send(createIntent(id, "n1", null, List.of(), Map.of()));
        Envelope created = broker.outcome(intent);
        assertTrue(created.is(EventType.NETWORK_CREATED), created::toString);
        assertEquals(intent.correlationId(), created.correlationId());
        assertEquals("test", created.actor());
        Network n1 = created.data(Network.class);
        assertEquals(id, n1.id());
        assertEquals("bridge", n1.driver());
        assertEquals("local", n1.scope());
        assertEquals("np-" + id.substring(0, 12), n1.bridge());
        assertFalse(n1.predefined());
        SubnetAllocation subnet = n1.subnets().get(0);
        assertTrue(subnet.subnet().matches("172\\.(1[89]|2\\d|3[01])\\.0\\.0/16|192\\.168\\.\\d+\\.0/20"), subnet.subnet());
        assertTrue(subnet.auto());
        assertEquals(subnet.subnet().replace(".0/16", ".1").replace(".0/20", ".1"), subnet.gateway());

        TestBroker.Seen desired = broker.awaitDesired(Keys.desiredNetwork(id), s -> s.value() != null);
        assertEquals(n1, desired.value().data(Network.class));
        assertEquals(intent.correlationId(), desired.value().correlationId());
        assertEquals(intent.id().toString(), desired.value().causationId());

        RestAssured.get("/ipam/networks/" + id).then().statusCode(200)
                .body("network.name", is("n1"), "subnets[0].subnet", is(subnet.subnet()),
                        "subnets[0].addresses", is(65534), "subnets[0].allocated", is(1));
        RestAssured.get("/ipam/networks/n1").then().statusCode(200).body("network.id", is(id));
    }

    @Test
    void userSubnetGatewayAndRange() {
        Network given = broker.create("n-given", "10.214.0.0/24", null, null).data(Network.class);
        assertEquals(new SubnetAllocation(io.netplane.events.data.Family.ipv4, "10.214.0.0/24", "10.214.0.1", null,
                false, false), given.subnets().get(0));
        Network gateway = broker.create("n-gw", "10.80.0.0/24", null, "10.80.0.254").data(Network.class);
        assertEquals("10.80.0.254", gateway.subnets().get(0).gateway());
        assertTrue(gateway.subnets().get(0).gatewayGiven());
        Network range = broker.create("n-range", "10.78.0.0/16", "10.78.5.0/24", null).data(Network.class);
        assertEquals("10.78.5.0", range.subnets().get(0).gateway(), "Docker's quirk: the range's first address");
        assertEquals("10.78.5.0/24", range.subnets().get(0).ipRange());
        Envelope named = broker.outcome(broker.send(createIntent(newId(), "n-brname", "bridge", List.of(),
                Map.of("com.docker.network.bridge.name", "br-custom0"))));
        assertEquals("br-custom0", named.data(Network.class).bridge());
        Envelope overlay = broker.outcome(broker.send(createIntent(newId(), "n-overlay", "overlay", List.of(), Map.of())));
        Network o = overlay.data(Network.class);
        assertEquals("10.0.0.0/24", o.subnets().get(0).subnet(), "overlay networks come from 10.0.0.0/8 as /24s");
        assertEquals("swarm", o.scope());
    }

    @Test
    void everyRefusalHasItsStatusAndMessage() {
        assertRejected(400, "Invalid subnet notacidr : invalid CIDR address: notacidr", withSubnet("e1", "notacidr", null, null));
        assertRejected(400, "Invalid subnet 10.126.0.0/33 : invalid CIDR address: 10.126.0.0/33",
                withSubnet("e2", "10.126.0.0/33", null, null));
        assertRejected(400, "invalid subnet 10.125.1.5/24: host bits are set (did you mean 10.125.1.0/24?)",
                withSubnet("e3", "10.125.1.5/24", null, null));
        assertRejected(400, "failed to allocate gateway (10.128.0.1): Requested address is out of range",
                withSubnet("e4", "10.129.0.0/16", null, "10.128.0.1"));
        assertRejected(400, "invalid gateway address nope in Ipam configuration", withSubnet("e5", "10.129.0.0/16", null, "nope"));
        assertRejected(400, "ip-range 10.218.0.0/25 is not inside subnet 10.217.0.0/16",
                withSubnet("e6", "10.217.0.0/16", "10.218.0.0/25", null));
        assertRejected(400, "Invalid subnet  : invalid CIDR address: ", withSubnet("e7", null, null, "10.0.0.1"));
        assertRejected(400, "more than one IPv4 subnet per network is not supported yet: 10.1.0.0/24, 10.2.0.0/24",
                createIntent(newId(), "e8", "bridge", List.of(new IpamConfig("10.1.0.0/24", null, null, Map.of()),
                        new IpamConfig("10.2.0.0/24", null, null, Map.of())), Map.of()));
        assertRejected(403, "only one instance of \"host\" network is allowed", createIntent(newId(), "e9", "host", List.of(), Map.of()));
        assertRejected(403, "only one instance of \"null\" network is allowed", createIntent(newId(), "e10", "null", List.of(), Map.of()));
        assertRejected(404, "plugin \"orcnodriver\" not found", createIntent(newId(), "e11", "orcnodriver", List.of(), Map.of()));
        assertRejected(400, "invalid bridge name \"much-too-long-name\" in option com.docker.network.bridge.name: a Linux "
                + "interface name is 1 to 15 bytes of a-z, A-Z, 0-9, '_', '.', '-'",
                createIntent(newId(), "e12", "bridge", List.of(), Map.of("com.docker.network.bridge.name", "much-too-long-name")));
        // overlap, decided by the exclusion constraint: with another network, and with the default bridge
        broker.create("ov-a", "10.150.0.0/16", null, null);
        assertRejected(403, "Pool overlaps with other one on this address space", withSubnet("ov-b", "10.150.3.0/24", null, null));
        assertRejected(403, "Pool overlaps with other one on this address space", withSubnet("ov-c", "10.0.0.0/8", null, null));
        assertRejected(403, "Pool overlaps with other one on this address space", withSubnet("ov-d", "172.17.5.0/24", null, null));
        // the refused ones left nothing behind
        RestAssured.get("/ipam/networks/ov-b").then().statusCode(404).body("message", is("network ov-b not found"));
        RestAssured.get("/ipam/networks/e1").then().statusCode(404);
    }

    @Test
    void duplicateNameIsRefusedWith409() {
        assertTrue(broker.create("dup").is(EventType.NETWORK_CREATED));
        Rejection r = broker.create("dup").data(Rejection.class);
        assertEquals(409, r.status());
        assertEquals("network with name dup already exists", r.message());
        assertEquals("create", r.operation());
        assertEquals("dup", r.name());
    }

    @Test
    void theSameIntentTwiceHasExactlyOneOutcome() {
        String id = newId();
        Envelope intent = createIntent(id, "twice", "bridge", List.of(), Map.of());
        broker.send(intent);
        broker.send(intent);
        // a later intent on the same key (same partition) marks the point by which both were consumed
        Envelope remove = broker.send(removeIntent(id));
        assertTrue(broker.outcome(remove).is(EventType.NETWORK_REMOVED));
        assertEquals(1, broker.outcomes(intent).size());
        assertEquals(1, broker.desired(Keys.desiredNetwork(id)).stream().filter(s -> s.value() != null).count());
        // a replay of the removal changes nothing either
        broker.send(remove);
        Envelope marker = broker.send(removeIntent(id));
        assertEquals(404, broker.outcome(marker).data(Rejection.class).status());
        assertEquals(1, broker.outcomes(remove).size());
    }

    @Test
    void removePublishesTheFactAndATombstone() {
        Network n = broker.create("to-remove").data(Network.class);
        String subnet = n.subnets().get(0).subnet();
        Envelope removed = broker.remove(n.id());
        assertTrue(removed.is(EventType.NETWORK_REMOVED), removed::toString);
        assertEquals(new NetworkRemoved(n.id(), "to-remove"), removed.data(NetworkRemoved.class));
        TestBroker.Seen tombstone = broker.awaitDesired(Keys.desiredNetwork(n.id()), s -> s.value() == null);
        assertNull(tombstone.value());
        RestAssured.get("/ipam/networks/" + n.id()).then().statusCode(404);
        assertRejected(404, "network " + n.id() + " not found", removeIntent(n.id()));
        // the subnet is free again: the same subnet can be given explicitly
        assertTrue(broker.create("reuse", subnet, null, null).is(EventType.NETWORK_CREATED));
    }

    @Test
    void oneBadIntentDoesNotPoisonItsBatch() {
        String first = newId();
        String overlapping = newId();
        String malformed = newId();
        String last = newId();
        broker.sendRaw(first, "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Envelope a = broker.send(withSubnetId(first, "batch-a", "10.160.0.0/16"));
        Envelope b = broker.send(withSubnetId(overlapping, "batch-b", "10.160.128.0/17"));
        Envelope c = broker.send(new Envelope(java.util.UUID.randomUUID(), EventType.NETWORK_CREATE_REQUESTED.wireName(), 1,
                java.time.Instant.now(), "corr-malformed", null, "test", io.netplane.events.Subject.network(malformed), null, null));
        Envelope d = broker.send(withSubnetId(last, "batch-d", "10.161.0.0/16"));
        assertTrue(broker.outcome(a).is(EventType.NETWORK_CREATED));
        assertEquals(403, broker.outcome(b).data(Rejection.class).status());
        Rejection bad = broker.outcome(c).data(Rejection.class);
        assertEquals(400, bad.status());
        assertEquals("malformed intent network.create.requested v1: no NetworkCreateRequested data", bad.message());
        assertTrue(broker.outcome(d).is(EventType.NETWORK_CREATED));
        RestAssured.get("/ipam/networks/batch-a").then().statusCode(200);
        RestAssured.get("/ipam/networks/batch-d").then().statusCode(200);
    }

    private static Envelope withSubnetId(String id, String name, String subnet) {
        return createIntent(id, name, "bridge", List.of(new IpamConfig(subnet, null, null, Map.of())), Map.of());
    }

    @Test
    void everyOutboxRowIsPublished() throws Exception {
        broker.create("outbox-check");
        try (var c = dataSource.getConnection();
             var select = c.prepareStatement("select count(*) from outbox where published_at is null")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (var row = select.executeQuery()) {
                    row.next();
                    return row.getInt(1);
                }
            }, is(0));
        }
    }

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource dataSource;

    @Test
    void readinessAndPools() {
        RestAssured.get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
        RestAssured.get("/ipam/pools").then().statusCode(200)
                .body("find { it.set == 'overlay' }.base", is("10.0.0.0/8"),
                        "find { it.set == 'overlay' }.subnets", is(65536),
                        "find { it.base == '172.17.0.0/16' }.used", is(1));
    }
}
