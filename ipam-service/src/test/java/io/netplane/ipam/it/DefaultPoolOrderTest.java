package io.netplane.ipam.it;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Network;
import io.netplane.events.data.Rejection;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Docker's pool order (docker-facts 9.1) through the real path: create intents on the broker, outcomes read
 * back from changes, allocations in PostgreSQL. No node has joined, so 172.17.0.0/16 stays kept for the
 * default bridge, as docker0 holds it.
 */
@ExtendWith(RequiresServices.class)
@QuarkusTest
@TestProfile(OwnTopics.PoolOrder.class)
class DefaultPoolOrderTest {
    private static TestBroker broker;
    private final Map<String, String> idBySubnet = new HashMap<>();

    @BeforeAll
    static void connect() {
        broker = new TestBroker();
    }

    @AfterAll
    static void disconnect() {
        broker.close();
    }

    private String create(String name) {
        Envelope outcome = broker.create(name);
        if (outcome.is(EventType.NETWORK_REJECTED)) {
            return "rejected " + outcome.data(Rejection.class).status() + " " + outcome.data(Rejection.class).message();
        }
        Network network = outcome.data(Network.class);
        String subnet = network.subnets().get(0).subnet();
        idBySubnet.put(subnet, network.id());
        return subnet;
    }

    private void remove(String subnet) {
        Envelope outcome = broker.remove(idBySubnet.remove(subnet));
        assertTrue(outcome.is(EventType.NETWORK_REMOVED), () -> "removing " + subnet + ": " + outcome);
    }

    @Test
    void dockersSequenceWithWrapAroundCursorResetAndExhaustion() {
        for (int i = 18; i <= 22; i++) {
            assertEquals("172." + i + ".0.0/16", create("orc-pool-" + i));
        }
        remove("172.19.0.0/16");
        assertEquals("172.23.0.0/16", create("orc-pool-06"), "a freed subnet is not reused before the wrap");
        for (int i = 24; i <= 31; i++) {
            assertEquals("172." + i + ".0.0/16", create("orc-pool-" + i));
        }
        for (int i = 0; i < 16; i++) {
            assertEquals("192.168." + (16 * i) + ".0/20", create("orc-pool-192-" + i));
        }
        assertEquals("172.19.0.0/16", create("orc-wrap-31"), "wrapped around: the first free pool");
        assertEquals("rejected 404 could not find an available, non-overlapping IPv4 address pool among the "
                + "defaults to assign to the network", create("orc-wrap-32"));

        // the cursor is now 3; 172.23 (index 6) freed → found at once, cursor 7
        remove("172.23.0.0/16");
        assertEquals("172.23.0.0/16", create("orc-wrap-33"));
        // only 172.18 (index 1) free: found after a wrap; the cursor is then reset to 0, not taken modulo
        remove("172.18.0.0/16");
        assertEquals("172.18.0.0/16", create("orc-wrap-34"));
        remove("172.18.0.0/16");
        remove("172.21.0.0/16");
        assertEquals("172.18.0.0/16", create("orc-wrap-35"), "after a wrap the search starts again at pool 0");
        assertEquals("172.21.0.0/16", create("orc-wrap-36"));

        List<Map<String, Object>> pools = RestAssured.get("/ipam/pools").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.set == 'default' }");
        assertEquals(7, pools.size());
        assertEquals("192.168.0.0/16", pools.get(6).get("base"));
        assertEquals(20, pools.get(6).get("size"));
        assertEquals(16, pools.get(6).get("used"));
        assertEquals(0, pools.get(6).get("free"));
        // 172.17.0.0/16 is kept for the bridge that waits for its node: counted free, not used
        assertEquals(1, pools.get(0).get("free"));
        assertEquals(5, pools.get(0).get("cursor"));
    }
}
