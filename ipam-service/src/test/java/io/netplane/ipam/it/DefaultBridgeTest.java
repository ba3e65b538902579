package io.netplane.ipam.it;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Keys;
import io.netplane.events.data.Network;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default bridge waits for its first node and avoids what nodes route (a host running Docker routes
 * 172.17.0.0/16 on docker0); automatic subnets skip routed subnets and explicit ones alike.
 */
@ExtendWith(RequiresServices.class)
@QuarkusTest
@TestProfile(OwnTopics.NodeRoutes.class)
class DefaultBridgeTest {
    private static TestBroker broker;

    @BeforeAll
    static void connect() {
        broker = new TestBroker();
    }

    @AfterAll
    static void disconnect() {
        broker.close();
    }

    private static Network bridge() {
        return broker.changes(e -> e.is(EventType.NETWORK_CREATED) && e.data(Network.class).name().equals("bridge"))
                .stream().findFirst().map(s -> s.value().data(Network.class)).orElse(null);
    }

    @Test
    void bridgeMovesOffWhatANodeRoutesAndAutomaticSubnetsSkipRoutedAndTakenOnes() {
        // no node yet: host and none exist, bridge waits
        await().atMost(Duration.ofSeconds(20)).until(() -> broker.changes(e -> e.is(EventType.NETWORK_CREATED)).size() == 2);
        RestAssured.get("/ipam/networks/bridge").then().statusCode(404);
        // an explicit subnet inside a default pool, before any node
        assertTrue(broker.create("explicit", "172.21.5.0/24", null, null).is(EventType.NETWORK_CREATED));

        broker.announce("docker-host", List.of("172.17.0.1/16", "172.19.0.0/16", "fe80::/64", "10.9.0.0/16"));
        Network bridge = await().atMost(Duration.ofSeconds(20)).until(DefaultBridgeTest::bridge, b -> b != null);
        assertEquals("172.18.0.0/16", bridge.subnets().get(0).subnet(), "the first default pool no node routes");
        assertEquals("172.18.0.1", bridge.subnets().get(0).gateway());
        assertEquals("nptest0", bridge.bridge());
        assertTrue(bridge.predefined());
        Envelope desired = broker.awaitDesired(Keys.desiredNetwork(bridge.id()), s -> s.value() != null).value();
        assertEquals(bridge, desired.data(Network.class));

        // 172.17 routed, 172.18 bridge, 172.19 routed → 172.20; 172.21 holds "explicit" → 172.22
        assertEquals("172.20.0.0/16", broker.create("auto-1").data(Network.class).subnets().get(0).subnet());
        assertEquals("172.22.0.0/16", broker.create("auto-2").data(Network.class).subnets().get(0).subnet());
        RestAssured.get("/ipam/pools").then().statusCode(200)
                .body("find { it.base == '172.17.0.0/16' }.routed", is(1),
                        "find { it.base == '172.20.0.0/14' }.used", is(3));

        // a second node changes nothing for the bridge: it is created once
        broker.announce("other-host", List.of());
        assertEquals("172.23.0.0/16", broker.create("auto-3").data(Network.class).subnets().get(0).subnet());
        assertEquals(1, broker.changes(e -> e.is(EventType.NETWORK_CREATED)
                && e.data(Network.class).name().equals("bridge")).size());
    }
}
