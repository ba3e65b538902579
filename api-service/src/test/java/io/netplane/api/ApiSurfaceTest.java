package io.netplane.api;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkRemoveRequested;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxRemoveRequested;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native API's surface: the error shape and codes for every kind of bad input (never a 500),
 * {@code wait=false} on every mutating call, the 504 of a call that outlives its timeout, list filters,
 * prune, and the OpenAPI document. ipam and the node are played on the real broker (BrokerPeer).
 */
@QuarkusTest
@TestProfile(ApiSurfaceTest.Profile.class)
class ApiSurfaceTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-surface-" + BrokerPeer.suffix());
        }
    }

    static final String NODE = "node-" + BrokerPeer.suffix();
    static final Duration INTENT_WAIT = Duration.ofSeconds(30); // the first request of a class warms up slowly on a busy machine

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

    /** One request of the garbage table. */
    record Call(String method, String path, String contentType, String body) {
        Response send() {
            RequestSpecification request = given().urlEncodingEnabled(false);
            if (contentType != null) {
                request = request.contentType(contentType);
            }
            if (body != null) {
                request = request.body(body);
            }
            return request.request(method, path);
        }

        @Override
        public String toString() {
            return method + " " + path + (body == null ? "" : " " + body);
        }
    }

    @Test
    void garbageIsA4xxWithCodeMessageAndDetailsAtEveryEndpoint() {
        String json = "application/json";
        String longName = "n".repeat(300);
        List<String> networkBodies = List.of("", "{", "[]", "null", "42", "\"web\"", "{\"name\":\"x\"} trailing",
                "{\"name\":\"x\",\"internal\":\"maybe\"}", "{\"name\":\"x\",\"attachable\":[]}",
                "{\"name\":\"x\",\"labels\":[1]}", "{\"name\":\"x\",\"labels\":{\"\":\"v\"}}",
                "{\"name\":\"x\",\"options\":\"mtu\"}", "{\"name\":\"x\",\"ipam\":{\"config\":\"10.0.0.0/8\"}}",
                "{\"name\":\"x\",\"ipam\":{\"config\":[null]}}", "{\"name\":\"x\",\"ipam\":[]}",
                "{\"name\":\"x\",\"mtu\":\"big\"}", "{\"name\":\"x\",\"mtu\":5}", "{\"name\":\"x\",\"mtu\":70000}",
                "{\"name\":\"x\",\"options\":{\"com.docker.network.driver.mtu\":\"abc\"}}",
                "{\"name\":\"x\",\"bridgeName\":\"a-bridge-name-too-long\"}", "{\"name\":\"x\",\"bridgeName\":\"br/0\"}",
                "{\"name\":\"x\\u0000\"}", "{\"name\":\"" + longName + "\"}", "{\"name\":\"\"}", "{\"name\":null}",
                "{\"name\":\"x\",\"driver\":\"nope\"}", "{\"name\":\"x\",\"driver\":\"host\"}", "{\"name\":\"bridge\"}",
                "\u00ff\u00fe binary");
        List<String> sandboxBodies = List.of("", "{", "[1]", "{\"name\":\"c\",\"ports\":[null]}",
                "{\"name\":\"c\",\"ports\":{}}", "{\"name\":\"c\",\"ports\":[{\"containerPort\":\"http\"}]}",
                "{\"name\":\"c\",\"ports\":[{\"containerPort\":0}]}", "{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"hostPort\":70000}]}",
                "{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"protocol\":\"icmp\"}]}",
                "{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"hostIp\":\"::1x\"}]}",
                "{\"name\":\"c\",\"aliases\":\"db\"}", "{\"name\":\"c\",\"aliases\":[\"\"]}",
                "{\"name\":\"c\",\"hostname\":\"-bad-\"}", "{\"name\":\"c\",\"hostname\":\"" + "h".repeat(65) + "\"}",
                "{\"name\":\"c d\"}", "{\"name\":\"c\",\"ipv4Address\":\"1.2.3.999\"}",
                "{\"name\":\"c\",\"network\":\"nope-" + BrokerPeer.suffix() + "\"}",
                "{\"name\":\"c\",\"network\":\"container:nope-" + BrokerPeer.suffix() + "\"}");
        List<String> endpointBodies = List.of("", "{", "[]", "{\"sandbox\":[]}", "{\"sandbox\":\"\"}",
                "{\"sandbox\":\"c\",\"aliases\":\"a\"}", "{\"sandbox\":\"c\",\"aliases\":[\"\"]}",
                "{\"sandbox\":\"c\",\"force\":\"maybe\"}", "{\"sandbox\":\"nope\"}");

        List<Call> calls = new ArrayList<>();
        networkBodies.forEach(b -> calls.add(new Call("POST", "/api/v1/networks", json, b)));
        calls.add(new Call("POST", "/api/v1/networks", "text/xml", "<network name=\"x\"/>"));
        calls.add(new Call("POST", "/api/v1/networks", null, null));
        sandboxBodies.forEach(b -> calls.add(new Call("POST", "/api/v1/sandboxes", json, b)));
        for (String b : endpointBodies) {
            calls.add(new Call("POST", "/api/v1/networks/bridge/connect", json, b));
            calls.add(new Call("POST", "/api/v1/networks/bridge/disconnect", json, b));
        }
        for (String query : List.of("wait=maybe", "wait=", "timeout=forever", "timeout=-1", "timeout=0",
                "timeout=99999999999999999999", "timeout=11m", "async=true")) {
            calls.add(new Call("POST", "/api/v1/networks?" + query, json, "{\"name\":\"q-" + BrokerPeer.suffix() + "\"}"));
            calls.add(new Call("DELETE", "/api/v1/networks/nope?" + query, null, null));
            calls.add(new Call("DELETE", "/api/v1/sandboxes/nope?" + query, null, null));
            calls.add(new Call("POST", "/api/v1/networks/prune?" + query, null, null));
        }
        calls.removeIf(c -> c.path().endsWith("?wait=")); // empty = absent: that one would really create
        for (String ref : List.of("%00", "%25", "_", "%2e%2e", "x%00y", "a".repeat(2000), "%F0%9F%98%80", "ABCDEF")) {
            calls.add(new Call("GET", "/api/v1/networks/" + ref, null, null));
            calls.add(new Call("DELETE", "/api/v1/networks/" + ref, null, null));
            calls.add(new Call("GET", "/api/v1/sandboxes/" + ref, null, null));
            calls.add(new Call("DELETE", "/api/v1/sandboxes/" + ref, null, null));
            calls.add(new Call("GET", "/api/v1/operations/" + ref, null, null));
            calls.add(new Call("POST", "/api/v1/networks/" + ref + "/connect", json, "{\"sandbox\":\"" + ref + "\"}"));
        }
        calls.add(new Call("GET", "/api/v1/networks?scope=planet", null, null));
        calls.add(new Call("GET", "/api/v1/networks?driver=nope", null, null));
        calls.add(new Call("DELETE", "/api/v1/sandboxes/nope?force=maybe", null, null));
        calls.add(new Call("POST", "/api/v1/networks/prune?until=yesterday", null, null));
        calls.add(new Call("PUT", "/api/v1/networks", json, "{}"));
        calls.add(new Call("PATCH", "/api/v1/sandboxes/x", json, "{}"));
        calls.add(new Call("GET", "/api/v1/nowhere", null, null));

        List<String> wrong = new ArrayList<>();
        for (Call call : calls) {
            Response response = call.send();
            int status = response.statusCode();
            String problem = null;
            if (status < 400 || status > 499) {
                problem = "status " + status;
            } else {
                try {
                    JsonPath body = response.jsonPath();
                    if (!(body.get("code") instanceof String code) || !code.matches("[a-z_]+")) {
                        problem = "no code";
                    } else if (!(body.get("message") instanceof String m) || m.isBlank()) {
                        problem = "no message";
                    } else if (!(body.get("details") instanceof Map<?, ?>)) {
                        problem = "details is not an object";
                    }
                } catch (RuntimeException e) {
                    problem = "not JSON";
                }
            }
            if (problem != null) {
                wrong.add(call + " -> " + problem + ": " + status + " " + response.asString());
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + calls.size() + " calls answered wrong:\n" + String.join("\n", wrong));
    }

    @Test
    void errorsNameTheCaseTheFieldAndTheFix() {
        given().contentType(ContentType.JSON).body("{\"name\":\"x\",\"internal\":\"maybe\"}").post("/api/v1/networks")
                .then().statusCode(400).body("code", equalTo("invalid_json")).body("details.field", equalTo("internal"))
                .body("message", equalTo("invalid JSON body: field \"internal\" must be true or false"));
        // a field in the wrong place (Docker's "Subnet" belongs under ipam.config) is refused, not dropped
        given().contentType(ContentType.JSON).body("{\"name\":\"x\",\"subnet\":\"10.77.0.0/24\"}").post("/api/v1/networks")
                .then().statusCode(400).body("code", equalTo("invalid_json")).body("details.field", equalTo("subnet"))
                .body("details.known", hasItem("ipam"))
                .body("message", startsWith("invalid JSON body: unknown field \"subnet\"; the fields here are "));
        given().contentType(ContentType.JSON).body("{\"name\":\"x\",\"ipam\":{\"config\":[{\"subnet\":\"10.77.0.0/24\",\"gw\":\"10.77.0.1\"}]}}")
                .post("/api/v1/networks")
                .then().statusCode(400).body("details.field", equalTo("ipam.config[0].gw"));
        given().get("/api/v1/networks/x").then().statusCode(404); // nothing was made
        given().contentType(ContentType.JSON).body("{\"name\":\"a b\"}").post("/api/v1/networks")
                .then().statusCode(400).body("code", equalTo("invalid_request")).body("details.field", equalTo("name"))
                .body("details.value", equalTo("a b"))
                .body("message", equalTo("invalid network name \"a b\": a name must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"));
        given().contentType(ContentType.JSON).body("{\"name\":\"m\",\"mtu\":20}").post("/api/v1/networks")
                .then().statusCode(400).body("details.field", equalTo("mtu")).body("message", equalTo("invalid mtu 20: from 68 to 65535"));
        given().contentType(ContentType.JSON).body("{\"name\":\"c\",\"ports\":[null]}").post("/api/v1/sandboxes")
                .then().statusCode(400).body("details.field", equalTo("ports[0]"));
        get("/api/v1/networks?scope=planet").then().statusCode(400).body("code", equalTo("invalid_request"))
                .body("details.field", equalTo("scope")).body("message", equalTo("invalid scope filter \"planet\": local, swarm or global"));
        given().contentType(ContentType.JSON).body("{\"name\":\"w\"}").post("/api/v1/networks?wait=maybe")
                .then().statusCode(400).body("details.field", equalTo("wait"))
                .body("message", equalTo("invalid wait \"maybe\": use wait=true or wait=false"));
        given().contentType(ContentType.JSON).body("{\"name\":\"w\"}").post("/api/v1/networks?async=true")
                .then().statusCode(400).body("details.field", equalTo("async")).body("message", containsString("wait=false"));

        String missing = "nope-" + BrokerPeer.suffix();
        get("/api/v1/networks/" + missing).then().statusCode(404).body("code", equalTo("network_not_found"))
                .body("details.ref", equalTo(missing)).body("message", equalTo("network " + missing + " not found"));
        get("/api/v1/sandboxes/" + missing).then().statusCode(404).body("code", equalTo("sandbox_not_found"));
        get("/api/v1/operations/" + UUID.randomUUID()).then().statusCode(404).body("code", equalTo("operation_not_found"));

        Network taken = project("taken-" + BrokerPeer.suffix(), "10.201.0.0/24", Map.of(), "bridge", "local");
        given().contentType(ContentType.JSON).body("{\"name\":\"" + taken.name() + "\"}").post("/api/v1/networks")
                .then().statusCode(409).body("code", equalTo("name_conflict"))
                .body("message", equalTo("network with name " + taken.name() + " already exists"));
        given().contentType(ContentType.JSON).body("{\"name\":\"bridge\"}").post("/api/v1/networks")
                .then().statusCode(409).body("code", equalTo("name_conflict"));
        given().contentType(ContentType.JSON).body("{\"name\":\"d\",\"driver\":\"macvlan\"}").post("/api/v1/networks")
                .then().statusCode(404).body("code", equalTo("driver_not_found"));

        // two ids that share their first hex digits: those are an ambiguous prefix
        Network twin1 = projectWithId("0a0a0a" + BrokerPeer.randomId().substring(6), "twin1-" + BrokerPeer.suffix(), "10.207.1.0/24");
        Network twin2 = projectWithId("0a0a0b" + BrokerPeer.randomId().substring(6), "twin2-" + BrokerPeer.suffix(), "10.207.2.0/24");
        get("/api/v1/networks/0a0a0").then().statusCode(400).body("code", equalTo("ambiguous_reference"))
                .body("details.ref", equalTo("0a0a0"));
        given().delete("/api/v1/networks/0a0a0").then().statusCode(400).body("code", equalTo("ambiguous_reference"))
                .body("message", equalTo("network 0a0a0 is ambiguous (2 matches found based on ID prefix)"));
        get("/api/v1/networks/0a0a0a").then().statusCode(200).body("name", equalTo(twin1.name()));
        get("/api/v1/networks/0a0a0b").then().statusCode(200).body("name", equalTo(twin2.name()));
    }

    @Test
    void rejectionsFromIpamGetTheirCodeAndTheOperation() throws Exception {
        var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body("{\"name\":\"ovl-" + BrokerPeer.suffix() + "\",\"ipam\":{\"config\":[{\"subnet\":\"172.17.5.0/24\"}]}}")
                .post("/api/v1/networks?timeout=20s"));
        Envelope intent = peer.awaitIntent(e -> e.is(EventType.NETWORK_CREATE_REQUESTED)
                && e.data(io.netplane.events.data.NetworkCreateRequested.class).name().startsWith("ovl-"), INTENT_WAIT);
        var requested = intent.data(io.netplane.events.data.NetworkCreateRequested.class);
        peer.publish(BrokerPeer.rejected(intent.correlationId(), requested.networkId(), "create", requested.name(), 403,
                "Pool overlaps with other one on this address space"));
        Response response = call.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(403, response.statusCode(), response.asString());
        response.then().body("code", equalTo("subnet_overlap")).body("details.operation", equalTo(intent.correlationId()));
    }

    @Test
    void waitFalseAnswers202OnEveryMutatingCall() {
        nodeIsUp();
        Network network = project("async-net-" + BrokerPeer.suffix(), "10.202.0.0/24", Map.of(), "bridge", "local");
        Sandbox sandbox = projectSandbox("async-c-" + BrokerPeer.suffix());

        String create = accepted(given().contentType(ContentType.JSON).body("{\"name\":\"wc-" + BrokerPeer.suffix() + "\",\"network\":\"" + network.name() + "\"}")
                .post("/api/v1/sandboxes?wait=false"));
        peer.awaitIntent(e -> e.is(EventType.SANDBOX_CREATE_REQUESTED) && e.correlationId().equals(create), INTENT_WAIT);
        get("/api/v1/operations/" + create).then().statusCode(200).body("kind", equalTo("sandbox.create"))
                .body("state", equalTo("pending"));

        String connect = accepted(given().contentType(ContentType.JSON).body("{\"sandbox\":\"" + sandbox.name() + "\"}")
                .post("/api/v1/networks/" + network.name() + "/connect?wait=false"));
        Envelope connectIntent = peer.awaitIntent(e -> e.is(EventType.ENDPOINT_CONNECT_REQUESTED)
                && e.correlationId().equals(connect), INTENT_WAIT);
        assertEquals(network.id(), connectIntent.data(EndpointConnectRequested.class).networkId());
        get("/api/v1/operations/" + connect).then().body("kind", equalTo("endpoint.connect")).body("state", equalTo("pending"));

        String removeSandbox = accepted(given().delete("/api/v1/sandboxes/" + sandbox.name() + "?wait=false"));
        peer.awaitIntent(e -> e.is(EventType.SANDBOX_REMOVE_REQUESTED) && e.correlationId().equals(removeSandbox)
                && e.data(SandboxRemoveRequested.class).sandboxId().equals(sandbox.id()), INTENT_WAIT);

        String removeNetwork = accepted(given().delete("/api/v1/networks/" + network.name() + "?wait=false&timeout=1s"));
        peer.awaitIntent(e -> e.is(EventType.NETWORK_REMOVE_REQUESTED) && e.correlationId().equals(removeNetwork)
                && e.data(NetworkRemoveRequested.class).networkId().equals(network.id()), INTENT_WAIT);
        get("/api/v1/operations/" + removeNetwork).then().body("kind", equalTo("network.remove"))
                .body("target", equalTo(network.id())).body("state", equalTo("pending"));
    }

    @Test
    void aSynchronousConnectThatOutlivesItsTimeoutAnswers504AndGoesOn() {
        nodeIsUp();
        Network network = project("slow-net-" + BrokerPeer.suffix(), "10.203.0.0/24", Map.of(), "bridge", "local");
        Sandbox sandbox = projectSandbox("slow-c-" + BrokerPeer.suffix());
        Response response = given().contentType(ContentType.JSON).body("{\"sandbox\":\"" + sandbox.id() + "\"}")
                .post("/api/v1/networks/" + network.id() + "/connect?timeout=300ms");
        assertEquals(504, response.statusCode(), response.asString());
        String operation = response.jsonPath().getString("details.operation");
        response.then().body("code", equalTo("timeout"))
                .body("message", containsString("did not finish within 300 ms: still in progress"))
                .body("message", containsString("GET /api/v1/operations/" + operation));
        get("/api/v1/operations/" + operation).then().body("state", equalTo("timeout"));
        Envelope intent = peer.awaitIntent(e -> e.correlationId().equals(operation), INTENT_WAIT);
        EndpointConnectRequested requested = intent.data(EndpointConnectRequested.class);
        var endpoint = BrokerPeer.endpoint(requested.endpointId(), sandbox.id(), network.id(), NODE, "eth1",
                "10.203.0.9", 24, "10.203.0.1", List.of(), List.of());
        peer.publish(BrokerPeer.allocated(operation, endpoint));
        peer.publish(BrokerPeer.endpointReady(operation, endpoint, 77));
        await().atMost(Duration.ofSeconds(15)).until(
                () -> get("/api/v1/operations/" + operation).jsonPath().getString("state"), equalTo("succeeded"));
        get("/api/v1/operations/" + operation).then().body("status", is(200));
    }

    @Test
    void listFiltersByNameDriverLabelAndScope() {
        String tag = BrokerPeer.suffix();
        Network blue = project("flt-blue-" + tag, "10.204.0.0/24", Map.of("team", "blue", "tier", "web"), "bridge", "local");
        Network red = project("flt-red-" + tag, "10.204.1.0/24", Map.of("team", "red"), "bridge", "local");
        Network wide = project("flt-wide-" + tag, "10.204.2.0/24", Map.of("team", "blue"), "overlay", "swarm");

        assertThat(names("name=flt-&label=team"), containsInAnyOrder(blue.name(), red.name(), wide.name()));
        assertThat(names("name=" + tag + "&label=team=blue"), containsInAnyOrder(blue.name(), wide.name()));
        assertThat(names("name=" + tag + "&label=team=blue&label=tier"), containsInAnyOrder(blue.name()));
        assertThat(names("name=" + tag + "&driver=overlay"), containsInAnyOrder(wide.name()));
        assertThat(names("name=" + tag + "&scope=local"), containsInAnyOrder(blue.name(), red.name()));
        assertThat(names("name=red-" + tag), containsInAnyOrder(red.name()));
        assertThat(names("name=" + tag + "&label=team=green"), containsInAnyOrder());
    }

    @Test
    void inspectShowsEndpointsAndPerNodeReadiness() {
        nodeIsUp();
        Network network = project("insp-" + BrokerPeer.suffix(), "10.205.0.0/24", Map.of(), "bridge", "local");
        get("/api/v1/networks/" + network.name()).then().body("ready", is(false)).body("nodes", not(hasKey(NODE)));
        peer.publish(BrokerPeer.ready(UUID.randomUUID().toString(), network.id(), NODE, 31));
        Sandbox sandbox = projectSandbox("insp-c-" + BrokerPeer.suffix());
        var endpoint = BrokerPeer.endpoint(BrokerPeer.randomId(), sandbox.id(), network.id(), NODE, "eth0",
                "10.205.0.2", 24, "10.205.0.1", List.of(), List.of());
        peer.publish(BrokerPeer.allocated(UUID.randomUUID().toString(), endpoint));
        await().until(() -> get("/api/v1/networks/" + network.name()).jsonPath().getMap("containers").size(), is(1));
        get("/api/v1/networks/" + network.name()).then().body("ready", is(true))
                .body("nodes." + NODE + ".state", equalTo("ready")).body("nodes." + NODE + ".ifindex", is(31))
                .body("containers." + sandbox.id() + ".name", equalTo(sandbox.name()))
                .body("containers." + sandbox.id() + ".ipv4Address", equalTo("10.205.0.2/24"));
    }

    @Test
    void pruneRemovesUnusedNetworksThatPassTheFilters() {
        String tag = "prune" + BrokerPeer.suffix();
        Network old = project("pr-old-" + BrokerPeer.suffix(), "10.206.0.0/24", Map.of(tag, "yes"), "bridge", "local");
        Network kept = project("pr-kept-" + BrokerPeer.suffix(), "10.206.1.0/24", Map.of(tag, "yes", "keep", "1"), "bridge", "local");
        Network other = project("pr-other-" + BrokerPeer.suffix(), "10.206.2.0/24", Map.of(), "bridge", "local");
        Response response = given().post("/api/v1/networks/prune?wait=false&label=" + tag + "&label!=keep");
        assertEquals(200, response.statusCode(), response.asString());
        assertThat(response.jsonPath().getList("networksDeleted"), containsInAnyOrder(old.name()));
        peer.awaitIntent(e -> e.is(EventType.NETWORK_REMOVE_REQUESTED)
                && e.data(NetworkRemoveRequested.class).networkId().equals(old.id()), INTENT_WAIT);
        List<Envelope> intents = peer.drainIntents(Duration.ofMillis(300));
        assertTrue(intents.stream().noneMatch(e -> e.is(EventType.NETWORK_REMOVE_REQUESTED)
                && List.of(kept.id(), other.id()).contains(e.data(NetworkRemoveRequested.class).networkId())));
        given().post("/api/v1/networks/prune?label=" + tag + "-none").then().statusCode(200)
                .body("networksDeleted", equalTo(List.of()));
    }

    @Test
    void theOpenApiDocumentDescribesTheNativeApiAndItsErrors() {
        Response doc = given().accept("application/json").get("/q/openapi?format=json");
        assertEquals(200, doc.statusCode());
        doc.then().body("info.title", equalTo("netplane API"))
                .body("paths.'/api/v1/networks'.post.summary", equalTo("Create a network"))
                .body("paths.'/api/v1/networks'.get.parameters.name", hasItem("label"))
                .body("paths.'/api/v1/networks/{ref}/connect'.post.summary", notNullValue())
                .body("paths.'/api/v1/networks/prune'.post.summary", notNullValue())
                .body("paths.'/api/v1/sandboxes'.post.parameters.name", hasItem("wait"))
                .body("paths.'/api/v1/operations/{id}'.get.summary", notNullValue())
                .body("paths.'/api/v1/nodes'.get.summary", notNullValue())
                .body("paths.'/api/v1/networks'.post.responses.default.content.'application/json'.schema.'$ref'",
                        endsWith("/Error"))
                .body("components.schemas.Error.properties", hasKey("code"))
                .body("components.schemas.Error.properties", hasKey("details"))
                .body("components.schemas.NetworkCreate.properties", hasKey("mtu"))
                .body("paths.'/networks/create'", nullValue()); // Docker's API has its own spec
        get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }

    @Test
    void corsIsOffByDefault() {
        given().header("Origin", "https://panel.example.com").header("Access-Control-Request-Method", "POST")
                .options("/api/v1/networks").then().header("Access-Control-Allow-Origin", nullValue());
    }

    // --- playing ipam and the node

    private void nodeIsUp() {
        peer.publish(BrokerPeer.joined(NODE, "10.99.0.1", List.of(), Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> get("/api/v1/nodes").jsonPath().getString("find { it.name == '" + NODE + "' }.state"),
                        equalTo("ready"));
    }

    private List<String> names(String query) {
        return get("/api/v1/networks?" + query).then().statusCode(200).extract().jsonPath().getList("name");
    }

    private Network project(String name, String subnet, Map<String, String> labels, String driver, String scope) {
        Network base = BrokerPeer.network(BrokerPeer.randomId(), name, subnet, subnet.replace(".0/24", ".1"), false);
        Network n = new Network(base.id(), name, driver, scope, base.subnets(), false, false, false, Map.of(), labels,
                base.vni(), base.bridge(), false, base.created());
        peer.publish(BrokerPeer.created(UUID.randomUUID().toString(), n));
        await().until(() -> get("/api/v1/networks/" + n.id()).statusCode(), is(200));
        return n;
    }

    private Network projectWithId(String id, String name, String subnet) {
        Network n = BrokerPeer.network(id, name, subnet, subnet.replace(".0/24", ".1"), false);
        peer.publish(BrokerPeer.created(UUID.randomUUID().toString(), n));
        await().until(() -> get("/api/v1/networks/" + n.id()).statusCode(), is(200));
        return n;
    }

    private Sandbox projectSandbox(String name) {
        Sandbox s = BrokerPeer.sandbox(BrokerPeer.randomId(), name, NODE);
        peer.publish(BrokerPeer.scheduled(UUID.randomUUID().toString(), s));
        await().until(() -> get("/api/v1/sandboxes/" + s.id()).statusCode(), is(200));
        return s;
    }

    private static String accepted(Response response) {
        assertEquals(202, response.statusCode(), response.asString());
        String operation = response.jsonPath().getString("operation");
        assertThat(response.header("Location"), endsWith("/api/v1/operations/" + operation));
        assertEquals(operation, response.header("X-Netplane-Operation"));
        return operation;
    }
}
