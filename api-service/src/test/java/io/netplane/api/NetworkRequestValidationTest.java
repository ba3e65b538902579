package io.netplane.api;

import io.netplane.events.data.Network;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * Requests api-service refuses by itself (400/403/404/409) and network lookups by id, name and id prefix.
 * The networks looked up are projected from network.created events this test publishes as ipam-service
 * would: it tests api-service's projection and REST, not ipam.
 */
@QuarkusTest
@TestProfile(NetworkRequestValidationTest.Profile.class)
class NetworkRequestValidationTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-validation-" + BrokerPeer.suffix());
        }
    }

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    BrokerPeer peer;

    @BeforeEach
    void connect() {
        peer = new BrokerPeer(bootstrap, prefix);
    }

    @AfterEach
    void close() {
        peer.close();
    }

    @Test
    void nameIsRequired() {
        given().contentType(ContentType.JSON).body("{\"driver\":\"bridge\"}").post("/api/v1/networks")
                .then().statusCode(400).body("message", equalTo("network name is required"));
    }

    @Test
    void badNameNamesTheRule() {
        given().contentType(ContentType.JSON).body("{\"name\":\"bad name/x\"}").post("/api/v1/networks")
                .then().statusCode(400)
                .body("message", equalTo("invalid network name \"bad name/x\": a name must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"));
        given().contentType(ContentType.JSON).body("{\"name\":\"-dash\"}").post("/api/v1/networks")
                .then().statusCode(400).body("message", containsString("[a-zA-Z0-9][a-zA-Z0-9_.-]*"));
    }

    @Test
    void malformedJsonIs400() {
        given().contentType(ContentType.JSON).body("{\"name\":").post("/api/v1/networks")
                .then().statusCode(400).body("message", containsString("invalid JSON body"));
        given().contentType(ContentType.JSON).body("{\"name\":\"x\",\"internal\":\"maybe\"}").post("/api/v1/networks")
                .then().statusCode(400).body("message", containsString("invalid JSON body"));
        given().contentType(ContentType.JSON).body("").post("/api/v1/networks")
                .then().statusCode(400).body("message", containsString("a JSON body is required"));
    }

    @Test
    void predefinedNamesAreTaken() {
        for (String name : new String[] {"bridge", "host", "none"}) {
            given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}").post("/api/v1/networks")
                    .then().statusCode(409).body("message", equalTo("network with name " + name + " already exists"));
        }
    }

    @Test
    void hostAndNullDriversAndUnknownDrivers() {
        given().contentType(ContentType.JSON).body("{\"name\":\"h1\",\"driver\":\"host\"}").post("/api/v1/networks")
                .then().statusCode(403).body("message", equalTo("only one instance of \"host\" network is allowed"));
        given().contentType(ContentType.JSON).body("{\"name\":\"h1\",\"driver\":\"nodriver\"}").post("/api/v1/networks")
                .then().statusCode(404).body("message", equalTo("plugin \"nodriver\" not found"));
    }

    @Test
    void knownNameIs409WithoutAnIntent() {
        String name = "dup-" + BrokerPeer.suffix();
        project(BrokerPeer.network(BrokerPeer.randomId(), name, "172.30.0.0/16", "172.30.0.1", false));
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}").post("/api/v1/networks")
                .then().statusCode(409).body("message", equalTo("network with name " + name + " already exists"));
    }

    @Test
    void predefinedNetworkCannotBeRemoved() {
        Network bridge = BrokerPeer.network(BrokerPeer.randomId(), "bridge", "172.17.0.0/16", "172.17.0.1", true);
        project(bridge);
        given().delete("/api/v1/networks/bridge").then().statusCode(403)
                .body("message", equalTo("bridge is a pre-defined network and cannot be removed"));
        given().delete("/api/v1/networks/" + bridge.id().substring(0, 12)).then().statusCode(403)
                .body("message", equalTo("bridge is a pre-defined network and cannot be removed"));
        get("/api/v1/networks/bridge").then().statusCode(200)
                .body("predefined", is(true)).body("subnets[0].subnet", equalTo("172.17.0.0/16"));
    }

    @Test
    void lookupByIdNamePrefixAndTheirErrors() {
        String common = BrokerPeer.randomId().substring(0, 10);
        String idA = common + "a" + BrokerPeer.randomId().substring(11);
        String idB = common + "b" + BrokerPeer.randomId().substring(11);
        String nameA = "look-a-" + BrokerPeer.suffix();
        project(BrokerPeer.network(idA, nameA, "172.31.1.0/24", "172.31.1.1", false));
        project(BrokerPeer.network(idB, "look-b-" + BrokerPeer.suffix(), "172.31.2.0/24", "172.31.2.1", false));

        get("/api/v1/networks/" + idA).then().statusCode(200).body("name", equalTo(nameA));
        get("/api/v1/networks/" + nameA).then().statusCode(200).body("id", equalTo(idA))
                .body("driver", equalTo("bridge")).body("scope", equalTo("local"))
                .body("subnets[0].gateway", equalTo("172.31.1.1")).body("labels.team", equalTo("blue"))
                .body("bridge", equalTo("np-" + idA.substring(0, 12))).body("predefined", is(false))
                .body("ready", is(true)); // no node is up in this test: nothing to wait for
        get("/api/v1/networks/" + common + "a").then().statusCode(200).body("id", equalTo(idA));
        get("/api/v1/networks/" + common).then().statusCode(400)
                .body("message", equalTo("2 matches found based on ID prefix: network " + common + " is ambiguous"));
        given().delete("/api/v1/networks/" + common).then().statusCode(400)
                .body("message", equalTo("network " + common + " is ambiguous (2 matches found based on ID prefix)"));
        get("/api/v1/networks/nope-" + common).then().statusCode(404)
                .body("message", equalTo("network nope-" + common + " not found"));
        given().delete("/api/v1/networks/nope-" + common).then().statusCode(404)
                .body("message", equalTo("network nope-" + common + " not found"));
        get("/api/v1/networks").then().statusCode(200).body("name", hasItem(nameA));
    }

    @Test
    void redeliveredCreatedChangesNothingTwice() {
        Network n = BrokerPeer.network(BrokerPeer.randomId(), "twice-" + BrokerPeer.suffix(), "172.29.0.0/16",
                "172.29.0.1", false);
        var event = BrokerPeer.created(UUID.randomUUID().toString(), n);
        peer.publish(event);
        peer.publish(event); // the same event again, as an outbox relay that crashed before marking it sent
        await().until(() -> get("/api/v1/networks").jsonPath().getList("findAll { it.name == '" + n.name() + "' }").size(),
                is(1));
        get("/api/v1/networks").then().body("findAll { it.name == '" + n.name() + "' }.size()", is(1));
    }

    @Test
    void unknownOperationAndPathAreJson404() {
        get("/api/v1/operations/" + UUID.randomUUID()).then().statusCode(404)
                .body("message", containsString("not found")).body("details.operation", nullValue());
        get("/api/v1/nowhere").then().statusCode(404).body("message", containsString("page not found"))
                .body("code", equalTo("not_found")).body("details", equalTo(Map.of()));
    }

    @Test
    void readyOnceMigratedAndAssigned() {
        get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'api read model and consumers' }.data.projectionAssigned", is(true))
                .body("checks.find { it.name == 'api read model and consumers' }.data.outcomeWatcherAssigned", is(true))
                .body("checks.find { it.name == 'api read model and consumers' }.data.schemaMigrated", is(true));
    }

    private void project(Network n) {
        peer.publish(BrokerPeer.created(UUID.randomUUID().toString(), n));
        await().until(() -> get("/api/v1/networks/" + n.id()).statusCode(), is(200));
    }
}
