package io.netplane.api.audit;

import io.netplane.api.BrokerPeer;
import io.netplane.api.TestCredentials;
import io.netplane.api.docker.IpamAndAgentPlayer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit queries on the real broker and PostgreSQL: a network created, connected, disconnected and removed
 * by two users (alice by HTTP basic, test-operator by token), ipam and the node played by
 * {@link IpamAndAgentPlayer} (its answers carry the intent's actor and causation, as ipam's do). The scenario
 * runs once; each test reads it another way.
 */
@QuarkusTest
@TestProfile(AuditTest.Profile.class)
class AuditTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-audit-" + BrokerPeer.suffix());
        }
    }

    static final String NODE = "node-" + BrokerPeer.suffix();
    static final String OPERATOR = "test-operator";
    static final List<String> STEPS = List.of("network.create.requested", "network.created", "network.ready",
            "endpoint.connect.requested", "endpoint.allocated", "endpoint.ready",
            "endpoint.disconnect.requested", "endpoint.released", "endpoint.cleared",
            "network.remove.requested", "network.removed", "network.cleared");

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    AuditIndex index;

    static IpamAndAgentPlayer player;
    static String networkId;
    static String networkName;
    static String sandboxId;
    static Map<String, String> operations; // step → operation id (correlation)

    @BeforeEach
    void scenario() {
        if (player != null) {
            return;
        }
        player = new IpamAndAgentPlayer(bootstrap, prefix, NODE);
        player.predefined();
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/networks").jsonPath().getList("name").size(),
                equalTo(3));
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/nodes").jsonPath()
                .getString("find { it.name == '" + NODE + "' }.state"), equalTo("ready"));
        networkName = "audited-" + BrokerPeer.suffix();
        String sandbox = "c-" + BrokerPeer.suffix();

        Response create = alice().contentType(ContentType.JSON).body("{\"name\":\"" + networkName + "\"}")
                .post("/api/v1/networks?timeout=30s");
        assertEquals(201, create.statusCode(), create.asString());
        networkId = create.jsonPath().getString("id");
        Response run = operator().contentType(ContentType.JSON).body("{\"name\":\"" + sandbox + "\"}")
                .post("/api/v1/sandboxes?timeout=30s");
        assertEquals(201, run.statusCode(), run.asString());
        sandboxId = run.jsonPath().getString("id");
        Response connect = operator().contentType(ContentType.JSON).body("{\"sandbox\":\"" + sandbox + "\"}")
                .post("/api/v1/networks/" + networkName + "/connect?timeout=30s");
        assertEquals(200, connect.statusCode(), connect.asString());
        Response disconnect = alice().contentType(ContentType.JSON).body("{\"sandbox\":\"" + sandbox + "\"}")
                .post("/api/v1/networks/" + networkName + "/disconnect?timeout=30s");
        assertEquals(200, disconnect.statusCode(), disconnect.asString());
        Response remove = operator().delete("/api/v1/networks/" + networkName + "?timeout=30s");
        assertEquals(204, remove.statusCode(), remove.asString());
        operations = Map.of("create", create.header("X-Netplane-Operation"), "sandbox", run.header("X-Netplane-Operation"),
                "connect", connect.header("X-Netplane-Operation"), "disconnect", disconnect.header("X-Netplane-Operation"),
                "remove", remove.header("X-Netplane-Operation"));
        // the index follows the log: wait until it holds the whole story
        await().atMost(Duration.ofSeconds(30)).until(() -> types(history(networkId, 1000)).containsAll(STEPS));
        assertEquals(List.of(), player.errors(), "the ipam/agent player failed");
    }

    @AfterAll
    static void stop() {
        if (player != null) {
            player.close();
            player = null;
        }
    }

    @Test
    void historyShowsEachStepInOrderWithItsActorAlsoAfterTheRemove() {
        get("/api/v1/networks/" + networkId).then().statusCode(404); // removed: only the history knows it
        List<Map<String, Object>> events = history(networkId, 1000);
        List<String> types = types(events);
        assertEquals(STEPS, types, "the network's story, in order, and nothing of other requests (the sandbox's create)");
        Map<String, String> actors = Map.of("network.create.requested", "alice", "network.created", "alice",
                "endpoint.connect.requested", OPERATOR, "endpoint.allocated", OPERATOR,
                "endpoint.disconnect.requested", "alice", "endpoint.released", "alice",
                "network.remove.requested", OPERATOR, "network.removed", OPERATOR);
        actors.forEach((type, actor) -> assertEquals(actor, event(events, type).get("actor"), type));
        // linked by correlation id: each request's events carry its operation id; the answer names the intent
        assertEquals(operations.get("create"), event(events, "network.created").get("correlationId"));
        assertEquals(operations.get("connect"), event(events, "endpoint.ready").get("correlationId"));
        assertEquals(operations.get("remove"), event(events, "network.removed").get("correlationId"));
        assertEquals(event(events, "network.create.requested").get("id"), event(events, "network.created").get("causationId"));
        Map<String, Object> requested = event(events, "network.create.requested");
        assertEquals(Map.of("kind", "network", "id", networkId), requested.get("subject"));
        assertNotNull(requested.get("time"));
        assertEquals(networkName, ((Map<?, ?>) requested.get("data")).get("name"));
        assertEquals(NODE, event(events, "network.ready").get("node"));
        // the place in the log comes along, and the order is the log time's
        JsonPath page = get("/api/v1/networks/" + networkId + "/history?limit=1000").jsonPath();
        List<String> logTimes = page.getList("events.logTime");
        for (int i = 1; i < logTimes.size(); i++) {
            assertFalse(Instant.parse(logTimes.get(i)).isBefore(Instant.parse(logTimes.get(i - 1))), "in log-time order");
        }
        assertEquals(prefix + ".intents", page.getString("events[0].topic"));
    }

    @Test
    void sandboxHistoryByNameOrId() {
        List<String> byName = types(pages(sandboxHistoryPath(sandboxId), 1000, null));
        assertTrue(byName.containsAll(List.of("sandbox.create.requested", "sandbox.scheduled", "sandbox.ready",
                "endpoint.connect.requested", "endpoint.disconnect.requested")), byName.toString());
        assertFalse(byName.contains("network.create.requested"), "the network's own create is not the sandbox's story");
        get("/api/v1/sandboxes/" + BrokerPeer.randomId() + "/history").then().statusCode(404)
                .body("code", equalTo("sandbox_not_found"));
        get("/api/v1/networks/" + BrokerPeer.randomId() + "/history").then().statusCode(404)
                .body("code", equalTo("network_not_found"));
        get("/api/v1/networks/no-such-network/history").then().statusCode(404);
    }

    @Test
    void filtersComeFromTheIndex() {
        List<Map<String, Object>> alices = pages("/api/v1/events?subject=" + networkId + "&actor=alice", 1000, null);
        // a node's status carries the actor of the request it answers (causedBy the desired record)
        assertEquals(List.of("network.create.requested", "network.created", "network.ready",
                "endpoint.disconnect.requested", "endpoint.released"), types(alices));
        List<Map<String, Object>> network = pages("/api/v1/events?subject=" + networkId + "&type=network.*", 1000, null);
        assertEquals(List.of("network.create.requested", "network.created", "network.ready",
                "network.remove.requested", "network.removed", "network.cleared"), types(network));
        List<Map<String, Object>> statuses = pages("/api/v1/events?subject=" + networkId + "&node=" + NODE
                + "&type=network.ready,endpoint.ready", 1000, null);
        assertEquals(List.of("network.ready", "endpoint.ready"), types(statuses));
        List<Map<String, Object>> connect = pages("/api/v1/events?correlation=" + operations.get("connect"), 1000, null);
        assertEquals(List.of("endpoint.connect.requested", "endpoint.allocated", "endpoint.ready"), types(connect));
        List<Map<String, Object>> joined = pages("/api/v1/events?type=node.joined&subject=" + NODE, 1000, null);
        assertEquals(1, joined.size(), "nodes are indexed too");
        get("/api/v1/events?actor=nobody-" + BrokerPeer.suffix()).then().statusCode(200).body("events.size()", equalTo(0))
                .body("next", equalTo(null));
    }

    @Test
    void pagingFollowsTheCursorWithoutGapsOrRepeats() {
        List<Map<String, Object>> whole = history(networkId, 1000);
        List<Map<String, Object>> paged = pages("/api/v1/networks/" + networkId + "/history", 5, null);
        assertEquals(ids(whole), ids(paged));
        // a pure window (the log itself) paged by 2 gives what one page of 1000 gives, and it is in log-time order
        // bounded: the node's heartbeats go on meanwhile
        String since = "since=" + Instant.now().minus(Duration.ofHours(1)) + "&until=" + Instant.now();
        List<Map<String, Object>> one = pages("/api/v1/events?" + since, 1000, null);
        List<Map<String, Object>> byTwo = pages("/api/v1/events?" + since, 2, null);
        assertEquals(ids(one), ids(byTwo));
        assertEquals(new HashSet<>(ids(one)).size(), ids(one).size(), "no event twice");
        assertTrue(ids(one).containsAll(ids(whole)), "the log holds every event the index has of the network");
        // and the same as the index gives for the same window
        List<Map<String, Object>> indexed = pages("/api/v1/events?" + since + "&type=network.*,endpoint.*,sandbox.*,node.*", 7, null);
        assertEquals(ids(one), ids(indexed), "the log and the index agree on the order");
    }

    @Test
    void timeWindowsIncludeSinceAndExcludeUntil() {
        JsonPath page = get("/api/v1/networks/" + networkId + "/history?limit=1000").jsonPath();
        int created = types(page.getList("events.event")).indexOf("network.created");
        Instant at = Instant.parse(page.getString("events[" + created + "].logTime"));
        String id = page.getString("events[" + created + "].event.id");
        for (String filter : List.of("", "&subject=" + networkId)) { // the log itself, then the index
            List<Map<String, Object>> from = window("since=" + at + "&until=" + at.plusMillis(1) + filter);
            assertTrue(ids(eventsOf(from)).contains(id), "since is inclusive" + filter);
            from.forEach(e -> assertEquals(at, Instant.parse((String) e.get("logTime")), "only the window" + filter));
            List<Map<String, Object>> before = window("since=" + at.minusSeconds(60) + "&until=" + at + filter);
            assertFalse(ids(eventsOf(before)).contains(id), "until is exclusive" + filter);
            before.forEach(e -> assertTrue(Instant.parse((String) e.get("logTime")).isBefore(at), "before until" + filter));
            List<Map<String, Object>> after = window("since=" + at.plusMillis(1) + filter);
            assertFalse(ids(eventsOf(after)).contains(id), filter);
        }
        given().get("/api/v1/events?since=" + at + "&until=" + at).then().statusCode(400).body("details.field", equalTo("until"));
        given().get("/api/v1/events?since=yesterday").then().statusCode(400).body("details.field", equalTo("since"));
        given().get("/api/v1/events?limit=0").then().statusCode(400).body("details.field", equalTo("limit"));
        given().get("/api/v1/events?type=network.exploded").then().statusCode(400).body("details.field", equalTo("type"));
        given().get("/api/v1/events?cursor=garbage!").then().statusCode(400).body("details.field", equalTo("cursor"));
        given().queryParam("actor", "a\u0000b").get("/api/v1/events").then().statusCode(400).body("details.field", equalTo("actor"));
        // a log cursor given to an index query (other parameters than its page's) is refused, not misread
        String logCursor = get("/api/v1/events?limit=1").jsonPath().getString("next");
        assertNotNull(logCursor);
        given().get("/api/v1/events?actor=alice&cursor=" + logCursor).then().statusCode(400)
                .body("details.field", equalTo("cursor"));
    }

    @Test
    void openApiListsTheAuditCalls() {
        given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/v1/events'.get.summary", equalTo("Audit events"))
                .body("paths.'/api/v1/networks/{ref}/history'.get.summary", equalTo("A network's history"))
                .body("paths.'/api/v1/sandboxes/{ref}/history'.get.summary", equalTo("A sandbox's history"));
    }

    @Test
    void readingNeedsACredentialAndViewerIsEnough() {
        given().auth().none().get("/api/v1/events").then().statusCode(401);
        given().auth().none().get("/api/v1/networks/" + networkId + "/history").then().statusCode(401);
        given().auth().none().get("/api/v1/sandboxes/" + sandboxId + "/history").then().statusCode(401);
        given().auth().oauth2(TestCredentials.VIEWER_TOKEN).get("/api/v1/networks/" + networkId + "/history")
                .then().statusCode(200).body("events.event.type", hasItems("network.create.requested"));
        given().auth().preemptive().basic("victor", TestCredentials.VICTOR_PASSWORD).get("/api/v1/events?actor=alice")
                .then().statusCode(200);
    }

    @Test
    void indexingTheSameRecordsAgainChangesNothing() throws Exception {
        AuditPage before = index.query(AuditQuery.window(null, null, 1000, null), "network:" + networkId);
        List<IndexEntry> entries = before.events().stream().map(e -> IndexEntry.of(e.envelope())).toList();
        index.insert(before.events(), entries); // a redelivery, or a rebuild over rows still there
        AuditPage after = index.query(AuditQuery.window(null, null, 1000, null), "network:" + networkId);
        assertEquals(before.events(), after.events());
        assertNull(after.next());
    }

    // helpers

    private static RequestSpecification alice() {
        return given().auth().preemptive().basic("alice", TestCredentials.ALICE_PASSWORD);
    }

    private static RequestSpecification operator() {
        return given().auth().oauth2(TestCredentials.OPERATOR_TOKEN);
    }

    private static String sandboxHistoryPath(String ref) {
        return "/api/v1/sandboxes/" + ref + "/history";
    }

    private static List<Map<String, Object>> history(String id, int limit) {
        return pages("/api/v1/networks/" + id + "/history", limit, null);
    }

    private static List<Map<String, Object>> window(String query) {
        Response r = get("/api/v1/events?limit=1000&" + query);
        assertEquals(200, r.statusCode(), r.asString());
        assertNull(r.jsonPath().get("next"));
        return r.jsonPath().getList("events");
    }

    /** Every page's envelopes, following next. */
    private static List<Map<String, Object>> pages(String path, int limit, String cursor) {
        List<Map<String, Object>> all = new ArrayList<>();
        String next = cursor;
        int guard = 0;
        do {
            String url = path + (path.contains("?") ? "&" : "?") + "limit=" + limit + (next == null ? "" : "&cursor=" + next);
            Response r = get(url);
            assertEquals(200, r.statusCode(), r.asString());
            List<Map<String, Object>> events = r.jsonPath().getList("events.event");
            assertTrue(events.size() <= limit);
            all.addAll(events);
            next = r.jsonPath().getString("next");
            assertTrue(++guard < 500, "paging does not end");
        } while (next != null);
        return all;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> eventsOf(List<Map<String, Object>> items) {
        return items.stream().map(i -> (Map<String, Object>) i.get("event")).toList();
    }

    private static List<String> types(List<Map<String, Object>> events) {
        return events.stream().map(e -> (String) e.get("type")).toList();
    }

    private static List<String> ids(List<Map<String, Object>> events) {
        return events.stream().map(e -> (String) e.get("id")).toList();
    }

    private static Map<String, Object> event(List<Map<String, Object>> events, String type) {
        return events.stream().filter(e -> type.equals(e.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " in " + types(events)));
    }
}
