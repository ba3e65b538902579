package io.netplane.ipam.it;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Keys;
import io.netplane.events.Subject;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxRemoveRequested;
import io.netplane.events.data.SandboxRemoved;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.netplane.ipam.it.TestBroker.createIntent;
import static io.netplane.ipam.it.TestBroker.newId;
import static io.netplane.ipam.it.TestBroker.removeIntent;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sandboxes and endpoints through real intents on the broker: addresses (lowest free, reuse, static, MAC,
 * exhaustion), host ports (conflicts, 0.0.0.0, ephemeral order, release), connect/disconnect, remove, every
 * refusal with Docker's message and nothing left behind by a refused intent.
 */
@ExtendWith(RequiresServices.class)
@QuarkusTest
@TestProfile(OwnTopics.Sandboxes.class)
class SandboxIntentsTest {
    private static final String NODE = "node-s";
    private static TestBroker broker;

    @BeforeAll
    static void connect() {
        broker = new TestBroker();
        broker.announce(NODE, List.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> !broker.changes(e -> e.is(EventType.NETWORK_CREATED)
                && e.data(Network.class).name().equals("bridge")).isEmpty());
    }

    @AfterAll
    static void disconnect() {
        broker.close();
    }

    // ---------------------------------------------------------------- helpers

    static EndpointRequest on(Network n) {
        return new EndpointRequest(n.id(), newId(), null, List.of());
    }

    static EndpointRequest on(Network n, String ip) {
        return new EndpointRequest(n.id(), newId(), ip, List.of("alias-" + ip));
    }

    static Envelope createSandbox(String name, List<PortBinding> ports, EndpointRequest... networks) {
        String id = newId();
        return Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(id), new SandboxCreateRequested(id, name,
                NODE, "bridge", name, null, List.of(networks), ports), "test");
    }

    /** The outcome of a create: sandbox.scheduled and its endpoints, or a rejection. */
    record Created(Envelope outcome, List<Endpoint> endpoints) {
        Sandbox sandbox() { return outcome.data(Sandbox.class); }

        Endpoint endpoint() { return endpoints.get(0); }

        String ip() { return endpoints.get(0).addresses().get(0).address(); }

        Rejection rejection() { return outcome.data(Rejection.class); }
    }

    static Created create(String name, List<PortBinding> ports, EndpointRequest... networks) {
        Envelope intent = broker.send(createSandbox(name, ports, networks));
        Envelope outcome = broker.outcome(intent);
        if (!outcome.is(EventType.SANDBOX_SCHEDULED)) {
            return new Created(outcome, List.of());
        }
        List<Envelope> all = await().atMost(Duration.ofSeconds(20)).until(() -> broker.outcomes(intent),
                l -> l.size() >= 1 + networks.length);
        return new Created(outcome, all.stream().filter(e -> e.is(EventType.ENDPOINT_ALLOCATED))
                .map(e -> e.data(Endpoint.class)).toList());
    }

    static Created create(String name, EndpointRequest... networks) {
        return create(name, List.of(), networks);
    }

    static String ip(Network n) {
        return create("c-" + newId().substring(0, 6), on(n)).ip();
    }

    /** sandbox.removed (after its endpoint.released) or sandbox.rejected. */
    static Envelope remove(String sandboxId) {
        Envelope intent = broker.send(Envelope.of(EventType.SANDBOX_REMOVE_REQUESTED, Subject.sandbox(sandboxId),
                new SandboxRemoveRequested(sandboxId), "test"));
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> broker.outcomes(intent)
                .stream().filter(e -> e.is(EventType.SANDBOX_REMOVED) || e.is(EventType.SANDBOX_REJECTED)).findFirst()
                .orElse(null), e -> e != null);
    }

    static Envelope connect(String sandboxId, String network, String ip) {
        String endpointId = newId();
        return broker.outcome(broker.send(Envelope.of(EventType.ENDPOINT_CONNECT_REQUESTED, Subject.sandbox(sandboxId),
                new EndpointConnectRequested(sandboxId, network, endpointId, ip, List.of()), "test")));
    }

    static Envelope disconnect(String sandboxId, String network) {
        return broker.outcome(broker.send(Envelope.of(EventType.ENDPOINT_DISCONNECT_REQUESTED, Subject.sandbox(sandboxId),
                new EndpointDisconnectRequested(sandboxId, network, false), "test")));
    }

    static void assertRejected(EventType type, int status, String message, Envelope outcome) {
        assertTrue(outcome.is(type), () -> "expected " + type + ", got " + outcome);
        Rejection r = outcome.data(Rejection.class);
        assertEquals(message, r.message());
        assertEquals(status, r.status(), message);
    }

    static Network network(String name, String subnet, String range, String gateway) {
        Envelope created = broker.create(name, subnet, range, gateway);
        assertTrue(created.is(EventType.NETWORK_CREATED), created::toString);
        return created.data(Network.class);
    }

    static PortBinding port(String ip, int host, int container) {
        return new PortBinding("tcp", ip, host, container);
    }

    // ---------------------------------------------------------------- addresses

    @Test
    void scheduledSandboxAndEndpointsWithDesiredRecordsAndMac() {
        Network a = network("sb-a", "10.135.0.0/24", null, "10.135.0.254");
        Network b = network("sb-b", null, null, null);
        Created c = create("web", on(a), on(b));
        Sandbox s = c.sandbox();
        assertEquals("np-" + s.id().substring(0, 12), s.netns());
        assertEquals(NODE, s.node());
        assertEquals("bridge", s.mode());
        assertEquals(List.of("eth0", "eth1"), c.endpoints().stream().map(Endpoint::ifname).toList());
        Endpoint eth0 = c.endpoint();
        assertEquals(List.of(new EndpointAddress(Family.ipv4, "10.135.0.1", 24, "10.135.0.254")), eth0.addresses(),
                "gateway .254: the first container gets .1 (docker-facts 9.2)");
        assertEquals("02:42:0a:87:00:01", eth0.mac());
        Endpoint eth1 = c.endpoints().get(1);
        String sub = b.subnets().get(0).subnet();
        assertEquals(sub.substring(0, sub.lastIndexOf('.')) + ".2", eth1.addresses().get(0).address());
        assertEquals(s.id(), eth1.sandboxId());
        assertEquals(b.id(), eth1.networkId());
        assertEquals(NODE, eth1.node());
        assertEquals(c.outcome().correlationId(), broker.awaitDesired(Keys.desiredSandbox(s.id()),
                x -> x.value() != null).value().correlationId());
        assertEquals(eth0, broker.awaitDesired(Keys.desiredEndpoint(eth0.id()), x -> x.value() != null).value()
                .data(Endpoint.class));
        // 10.123.5.77 → 02:42:0a:7b:05:4d (docker-facts 6.6)
        Network m = network("sb-mac", "10.123.0.0/16", null, null);
        assertEquals("02:42:0a:7b:05:4d", create("mac", on(m, "10.123.5.77")).endpoint().mac());
        assertEquals("02:42:0a:7b:00:02", create("mac2", on(m)).endpoint().mac());
    }

    @Test
    void dnsServersSearchDomainsAndOptionsReachTheDesiredSandbox() {
        Network n = network("sb-dns", null, null, null);
        for (String mode : List.of("bridge", "none")) { // a plain bridge create is scheduled in a batch, none one by one
            String id = newId();
            Envelope intent = broker.send(Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(id),
                    new SandboxCreateRequested(id, "dns-" + mode, NODE, mode, "dns-" + mode, null,
                            mode.equals("bridge") ? List.of(on(n)) : List.of(), List.of(), List.of("192.0.2.53"),
                            List.of("example.test"), List.of("ndots:2")), "test"));
            Sandbox scheduled = broker.outcome(intent).data(Sandbox.class);
            assertEquals(List.of("192.0.2.53"), scheduled.dns(), mode);
            assertEquals(List.of("example.test"), scheduled.dnsSearch(), mode);
            assertEquals(List.of("ndots:2"), scheduled.dnsOptions(), mode);
            assertEquals(scheduled, broker.awaitDesired(Keys.desiredSandbox(id), x -> x.value() != null).value()
                    .data(Sandbox.class));
        }
    }

    @Test
    void lowestFreeFirstAndAFreedAddressIsReusedAtOnce() {
        Network n = network("lf", "10.90.0.0/24", null, null);
        Created c1 = create("lf1", on(n));
        Created c2 = create("lf2", on(n));
        Created c3 = create("lf3", on(n));
        assertEquals(List.of("10.90.0.2", "10.90.0.3", "10.90.0.4"), List.of(c1.ip(), c2.ip(), c3.ip()));
        assertTrue(remove(c2.sandbox().id()).is(EventType.SANDBOX_REMOVED));
        assertEquals("10.90.0.3", ip(n));
        assertEquals("10.90.0.5", ip(n));
        remove(c1.sandbox().id());
        remove(c3.sandbox().id());
        assertEquals("10.90.0.2", ip(n), "the lowest of the freed ones first");
        assertEquals("10.90.0.4", ip(n));
        assertEquals("10.90.0.6", ip(n));
    }

    @Test
    void ipRangeHandsOutItsOwnFirstAddressAndGatewayIsSkipped() {
        Network r = network("rng", "10.79.0.0/16", "10.79.5.0/24", "10.79.0.1");
        assertEquals("10.79.5.0", ip(r));
        assertEquals("10.79.5.1", ip(r));
        Network q = network("rng-nogw", "10.78.0.0/16", "10.78.5.0/24", null);
        assertEquals("10.78.5.1", ip(q), "the gateway is the range's first address: skipped");
        Network g = network("gw2", "10.80.0.0/24", null, "10.80.0.2");
        assertEquals("10.80.0.1", ip(g));
        assertEquals("10.80.0.3", ip(g));
    }

    @Test
    void staticAddresses() {
        Network n = network("st", "10.136.0.0/24", "10.136.0.0/25", "10.136.0.254");
        assertEquals("10.136.0.3", create("st1", on(n, "10.136.0.3")).ip());
        assertEquals("10.136.0.200", create("st2", on(n, "10.136.0.200")).ip(), "outside the ip-range, inside the subnet");
        assertEquals("10.136.0.1", ip(n));
        assertEquals("10.136.0.2", ip(n));
        assertEquals("10.136.0.4", ip(n), "the static .3 is skipped");
        assertRejected(EventType.SANDBOX_REJECTED, 403, "Address already in use", create("st3", on(n, "10.136.0.3")).outcome());
        assertRejected(EventType.SANDBOX_REJECTED, 403, "Address already in use", create("st4", on(n, "10.136.0.254")).outcome());
        assertRejected(EventType.SANDBOX_REJECTED, 400, "Invalid address 10.137.0.5: It does not belong to any of this "
                + "network's subnets", create("st5", on(n, "10.137.0.5")).outcome());
        assertRejected(EventType.SANDBOX_REJECTED, 400, "Invalid IPv4 address: 10.136.300.1)",
                create("st6", on(n, "10.136.300.1")).outcome());
        Network auto = network("st-auto", null, null, null);
        assertRejected(EventType.SANDBOX_REJECTED, 400, "user specified IP address is supported only when connecting to "
                + "networks with user configured subnets", create("st7", on(auto, "172.30.9.9")).outcome());
        Network bridge = broker.changes(e -> e.is(EventType.NETWORK_CREATED) && e.data(Network.class).name().equals("bridge"))
                .get(0).value().data(Network.class);
        assertRejected(EventType.SANDBOX_REJECTED, 400, "user specified IP address is supported on user defined "
                + "networks only", create("st8", on(bridge, "172.17.9.9")).outcome());
        // a freed static address is free again, for a static or an automatic request
        Created st9 = create("st9", on(n, "10.136.0.9"));
        remove(st9.sandbox().id());
        assertEquals("10.136.0.9", create("st10", on(n, "10.136.0.9")).ip());
    }

    @Test
    void exhaustionOfASlash29AndReuseAfterFreeing() {
        Network n = network("orc-ip", "10.77.0.0/29", null, null);
        List<Created> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(create("x" + i, on(n)));
        }
        assertEquals(List.of("10.77.0.2", "10.77.0.3", "10.77.0.4", "10.77.0.5", "10.77.0.6"),
                five.stream().map(Created::ip).toList());
        Created sixth = create("x5", on(n));
        assertRejected(EventType.SANDBOX_REJECTED, 409, "no available IPv4 addresses on this network's address pools: "
                + "orc-ip (" + n.id() + ")", sixth.outcome());
        remove(five.get(1).sandbox().id());
        remove(five.get(2).sandbox().id());
        assertEquals("10.77.0.3", ip(n));
        RestAssured.get("/ipam/networks/orc-ip").then().statusCode(200)
                .body("subnets[0].addresses", is(6), "subnets[0].allocated", is(5), "subnets[0].free", is(1),
                        "addresses.address", hasItems("10.77.0.2", "10.77.0.3", "10.77.0.5", "10.77.0.6"),
                        "addresses[0].sandboxName", is("x0"), "addresses[0].mac", is("02:42:0a:4d:00:02"));
    }

    @Test
    void aRefusedSandboxLeavesNothingBehind() {
        Network a = network("ann-a", "10.91.0.0/24", null, null);
        Network b = network("ann-b", "10.92.0.0/24", null, null);
        create("ann0", on(b, "10.92.0.9"));
        Created refused = create("ann1", List.of(port("", 18500, 80)), on(a), on(b, "10.92.0.9"));
        assertRejected(EventType.SANDBOX_REJECTED, 403, "Address already in use", refused.outcome());
        assertEquals("ann1", refused.rejection().name());
        assertEquals("create", refused.rejection().operation());
        assertEquals("10.91.0.2", ip(a), "the address of the first network was not kept");
        assertEquals(18500, create("ann2", List.of(port("", 18500, 80)), on(a)).endpoint().ports().get(0).hostPort(),
                "nor its port");
        assertRejected(EventType.SANDBOX_REJECTED, 404, "network nope-net not found",
                create("ann3", new EndpointRequest("nope-net", newId(), null, List.of())).outcome());
    }

    // ---------------------------------------------------------------- connect, disconnect, remove

    @Test
    void connectDisconnectAndTheirRefusals() {
        Network a = network("cd-a", "10.93.0.0/24", null, null);
        Network b = network("cd-b", "10.94.0.0/24", null, null);
        Created c = create("cd1", on(a));
        String sid = c.sandbox().id();
        Envelope eth1 = connect(sid, b.id(), null);
        assertTrue(eth1.is(EventType.ENDPOINT_ALLOCATED), eth1::toString);
        assertEquals("eth1", eth1.data(Endpoint.class).ifname());
        assertEquals(List.of(new EndpointAddress(Family.ipv4, "10.94.0.2", 24, "10.94.0.1")),
                eth1.data(Endpoint.class).addresses());
        assertEquals("02:42:0a:5e:00:02", eth1.data(Endpoint.class).mac());
        assertEquals(NODE, eth1.data(Endpoint.class).node());
        assertRejected(EventType.ENDPOINT_REJECTED, 403, "endpoint with name cd1 already exists in network cd-b",
                connect(sid, b.id(), null));
        assertRejected(EventType.ENDPOINT_REJECTED, 403, "endpoint with name cd1 already exists in network cd-a",
                connect(sid, "cd-a", "10.93.0.50"));
        assertRejected(EventType.ENDPOINT_REJECTED, 404, "network cd-nope not found", connect(sid, "cd-nope", null));
        assertRejected(EventType.ENDPOINT_REJECTED, 404, "No such container: " + "f".repeat(64),
                connect("f".repeat(64), "cd-nope", null));
        assertRejected(EventType.ENDPOINT_REJECTED, 400, "container cannot be disconnected from host network or "
                + "connected to host network", connect(sid, "host", null));
        String none = newId();
        broker.outcome(broker.send(Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(none),
                new SandboxCreateRequested(none, "cd-none", NODE, "none", null, null, List.of(), List.of()), "test")));
        assertRejected(EventType.ENDPOINT_REJECTED, 400, "container cannot be connected to multiple networks with one "
                + "of the networks in private (none) mode", connect(none, b.id(), null));
        Network full = network("cd-full", "10.97.0.0/30", null, null); // one address besides the gateway
        assertEquals("10.97.0.2", connect(create("cd2", on(a)).sandbox().id(), full.id(), null).data(Endpoint.class)
                .addresses().get(0).address());
        assertRejected(EventType.ENDPOINT_REJECTED, 409, "no available IPv4 addresses on this network's address pools: "
                + "cd-full (" + full.id() + ")", connect(sid, full.id(), null));

        Envelope released = disconnect(sid, b.id());
        assertTrue(released.is(EventType.ENDPOINT_RELEASED), released::toString);
        EndpointReleased r = released.data(EndpointReleased.class);
        assertEquals(eth1.data(Endpoint.class).id(), r.endpointId());
        assertNull(broker.awaitDesired(Keys.desiredEndpoint(r.endpointId()), x -> x.value() == null).value());
        assertRejected(EventType.ENDPOINT_REJECTED, 400, "container " + sid + " is not connected to network cd-b",
                disconnect(sid, b.id()));
        assertRejected(EventType.ENDPOINT_REJECTED, 404, "No such container: " + "e".repeat(64),
                disconnect("e".repeat(64), b.id()));
        Envelope again = connect(sid, "cd-b", null);
        assertEquals("eth2", again.data(Endpoint.class).ifname(), "the interface counter only grows (6.5)");
        assertEquals("10.94.0.2", again.data(Endpoint.class).addresses().get(0).address());

        assertRejected(EventType.NETWORK_REJECTED, 403, "error while removing network: network cd-b id " + b.id()
                + " has active endpoints", broker.remove(b.id()));
        Envelope removed = remove(sid);
        assertTrue(removed.is(EventType.SANDBOX_REMOVED), removed::toString);
        List<Envelope> all = await().atMost(Duration.ofSeconds(20)).until(() -> broker.changes(e -> e.causationId() != null
                        && e.causationId().equals(removed.causationId())).stream().map(TestBroker.Seen::value).toList(),
                l -> l.size() == 3);
        assertEquals(List.of("endpoint.released", "endpoint.released", "sandbox.removed"),
                all.stream().map(Envelope::type).toList());
        assertEquals("cd1", all.get(2).data(SandboxRemoved.class).name());
        assertNull(broker.awaitDesired(Keys.desiredSandbox(sid), x -> x.value() == null).value());
        assertTrue(broker.remove(b.id()).is(EventType.NETWORK_REMOVED));
        assertRejected(EventType.SANDBOX_REJECTED, 404, "No such container: " + sid, remove(sid));
    }

    @Test
    void theSameIntentTwiceHasOneOutcome() {
        Network n = network("idem", "10.95.0.0/24", null, null);
        Envelope intent = createSandbox("idem1", List.of(), on(n));
        broker.send(intent);
        broker.send(intent);
        broker.outcome(intent);
        assertEquals("10.95.0.3", ip(n));
        assertEquals(2, broker.outcomes(intent).size(), "one sandbox.scheduled and one endpoint.allocated");
    }

    @Test
    void aSecondLiveSandboxWithANameInUseIsRefusedAsDockerDoes() {
        Network n = network("names", "10.147.0.0/24", null, null);
        Created first = create("samename", on(n));
        Created second = create("samename", on(n));
        assertRejected(EventType.SANDBOX_REJECTED, 409, "Conflict. The container name \"/samename\" is already in use "
                + "by container \"" + first.sandbox().id() + "\". You have to remove (or rename) that container to be "
                + "able to reuse that name.", second.outcome());
        assertEquals("10.147.0.3", ip(n), "the refused sandbox took no address");
        // two creates with one name in one poll batch: the database decides, one of them is refused
        Envelope a = createSandbox("twins", List.of(), on(n));
        Envelope b = createSandbox("twins", List.of(), on(n));
        broker.send(a);
        broker.send(b);
        // keyed by sandbox id, they may sit on different partitions: either may come first
        Envelope won = broker.outcome(a).is(EventType.SANDBOX_SCHEDULED) ? a : b;
        Envelope lost = won == a ? b : a;
        assertTrue(broker.outcome(won).is(EventType.SANDBOX_SCHEDULED));
        assertRejected(EventType.SANDBOX_REJECTED, 409, "Conflict. The container name \"/twins\" is already in use "
                + "by container \"" + won.subject().id() + "\". You have to remove (or rename) that container to be "
                + "able to reuse that name.", broker.outcome(lost));
        assertTrue(remove(first.sandbox().id()).is(EventType.SANDBOX_REMOVED));
        assertEquals("samename", create("samename", on(n)).sandbox().name(), "a removed sandbox's name is free again");
    }

    // ---------------------------------------------------------------- host ports

    @Test
    void hostPortsConflictsAnyAddressAndEphemeralOrder() {
        Network n = network("ports", "10.96.0.0/24", null, null);
        Created web = create("web1", List.of(port("", 18080, 80), port("127.0.0.1", 18082, 80),
                new PortBinding("udp", "", 18083, 53)), on(n));
        assertEquals(List.of(new PortBinding("tcp", "0.0.0.0", 18080, 80), new PortBinding("tcp", "127.0.0.1", 18082, 80),
                new PortBinding("udp", "0.0.0.0", 18083, 53)), web.endpoint().ports());
        assertRejected(EventType.SANDBOX_REJECTED, 409, "Bind for 0.0.0.0:18080 failed: port is already allocated",
                create("dup1", List.of(port("0.0.0.0", 18080, 80)), on(n)).outcome());
        assertRejected(EventType.SANDBOX_REJECTED, 409, "Bind for 10.0.0.7:18080 failed: port is already allocated",
                create("dup2", List.of(port("10.0.0.7", 18080, 80)), on(n)).outcome());
        assertRejected(EventType.SANDBOX_REJECTED, 409, "Bind for 0.0.0.0:18082 failed: port is already allocated",
                create("dup3", List.of(port("", 18082, 80)), on(n)).outcome());
        // other address, other protocol: no conflict
        assertEquals(18082, create("ok1", List.of(port("127.0.0.2", 18082, 80)), on(n)).endpoint().ports().get(0).hostPort());
        assertEquals(18080, create("ok2", List.of(new PortBinding("udp", "", 18080, 80)), on(n)).endpoint().ports().get(0).hostPort());

        Created e1 = create("eph1", List.of(port("", 0, 80), port("", 0, 81)), on(n));
        assertEquals(List.of(32768, 32769), e1.endpoint().ports().stream().map(PortBinding::hostPort).toList());
        Created taken = create("eph2", List.of(port("127.0.0.1", 32770, 80)), on(n));
        assertEquals(32770, taken.endpoint().ports().get(0).hostPort());
        assertEquals(32771, create("eph3", List.of(port("", 0, 80)), on(n)).endpoint().ports().get(0).hostPort(),
                "an explicit binding in the range is skipped");
        remove(e1.sandbox().id());
        assertEquals(List.of(32768, 32769, 32772), create("eph4", List.of(port("", 0, 1), port("", 0, 2),
                port("", 0, 3)), on(n)).endpoint().ports().stream().map(PortBinding::hostPort).toList(),
                "ports are released with the endpoint and reused lowest first");
        remove(web.sandbox().id());
        assertEquals(18080, create("web2", List.of(port("", 18080, 80)), on(n)).endpoint().ports().get(0).hostPort());

        RestAssured.get("/ipam/nodes/" + NODE + "/ports").then().statusCode(200)
                .body("hostPort", hasItems(18080, 18082, 32768, 32769, 32770, 32771, 32772),
                        "find { it.hostPort == 32770 }.hostIp", is("127.0.0.1"),
                        "find { it.hostPort == 32770 }.sandboxName", is("eph2"));
        assertRejected(EventType.SANDBOX_REJECTED, 400, "invalid proto 'icmp': tcp, udp or sctp",
                create("bad1", List.of(new PortBinding("icmp", "", 1, 80)), on(n)).outcome());
    }

    @Test
    void overlayNetworksGetUniqueVnisFrom4096() {
        Network o1 = broker.outcome(broker.send(createIntent(newId(), "ov1", "overlay", List.of(), Map.of()))).data(Network.class);
        Network o2 = broker.outcome(broker.send(createIntent(newId(), "ov2", "overlay", List.of(), Map.of()))).data(Network.class);
        assertEquals(4096, o1.vni());
        assertEquals(4097, o2.vni());
        broker.remove(o1.id());
        Network o3 = broker.outcome(broker.send(createIntent(newId(), "ov3", "overlay", List.of(), Map.of()))).data(Network.class);
        assertEquals(4096, o3.vni(), "a freed VNI is reused, lowest first");
        assertNull(network("br-novni", null, null, null).vni());
        assertTrue(broker.outcome(broker.send(removeIntent(o2.id()))).is(EventType.NETWORK_REMOVED));
    }
}
