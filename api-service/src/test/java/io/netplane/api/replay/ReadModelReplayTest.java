package io.netplane.api.replay;

import io.netplane.api.BrokerPeer;
import io.netplane.api.audit.AuditIndex;
import io.netplane.api.audit.AuditTopics;
import io.netplane.api.audit.IndexEntry;
import io.netplane.api.audit.LoggedEvent;
import io.netplane.api.docker.IpamAndAgentPlayer;
import io.netplane.api.projection.Projection;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The api side of replay (issue 8) after a session through the REST API (ipam and the node played): the whole log
 * fed a second time through the projection and the audit indexer changes nothing, and the comparison names an
 * entity, a field and both values for a difference planted in a copy of the read model.
 */
@QuarkusTest
@TestProfile(ReadModelReplayTest.Profile.class)
class ReadModelReplayTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-replay-" + BrokerPeer.suffix());
        }
    }

    static final String NODE = "node-" + BrokerPeer.suffix();
    static final List<String> TABLES = List.of("networks", "network_nodes", "nodes", "sandboxes", "endpoints",
            "sandbox_status", "endpoint_status", "projection_offsets", "audit_events", "operations");

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "quarkus.flyway.schemas")
    String schema;
    @Inject
    Projection projection;
    @Inject
    AuditIndex audit;
    @Inject
    ReadModelReplay replay;
    @Inject
    DataSource dataSource;

    static IpamAndAgentPlayer player;
    static boolean played;

    @BeforeEach
    void session() {
        if (played) {
            return;
        }
        played = true;
        player = new IpamAndAgentPlayer(bootstrap, prefix, NODE);
        player.predefined();
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/nodes").jsonPath()
                .getString("find { it.name == '" + NODE + "' }.state"), equalTo("ready"));
        String kept = "kept-" + BrokerPeer.suffix();
        String gone = "gone-" + BrokerPeer.suffix();
        for (String name : List.of(kept, gone)) {
            Response r = given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}")
                    .post("/api/v1/networks?timeout=30s");
            assertEquals(201, r.statusCode(), r.asString());
        }
        for (String sandbox : List.of("s1-" + BrokerPeer.suffix(), "s2-" + BrokerPeer.suffix())) {
            Response r = given().contentType(ContentType.JSON).body("{\"name\":\"" + sandbox + "\"}")
                    .post("/api/v1/sandboxes?timeout=30s");
            assertEquals(201, r.statusCode(), r.asString());
            r = given().contentType(ContentType.JSON).body("{\"sandbox\":\"" + sandbox + "\"}")
                    .post("/api/v1/networks/" + kept + "/connect?timeout=30s");
            assertEquals(200, r.statusCode(), r.asString());
        }
        Response remove = given().delete("/api/v1/networks/" + gone + "?timeout=30s");
        assertEquals(204, remove.statusCode(), remove.asString());
        assertEquals(List.of(), player.errors(), "the ipam/agent player failed");
        // the index has everything of the log (read again each time: the player's heartbeats go on meanwhile)
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (LogRecords log = new LogRecords(bootstrap, prefix)) {
                return count("audit_events") == log.readToEnd().size();
            }
        });
    }

    @AfterAll
    static void stop() {
        if (player != null) {
            player.close();
            player = null;
        }
    }

    @Test
    void theWholeLogFedAgainThroughTheProjectionAndTheAuditIndexChangesNothing() throws Exception {
        stop(); // no more heartbeats: the log stands still
        List<LogRecords.Logged> records;
        try (LogRecords log = new LogRecords(bootstrap, prefix)) {
            records = log.readToEnd();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> caughtUp(records));
        String before = dump();
        assertTrue(records.size() > 30, "a session's worth of log: " + records.size());
        int applied = 0;
        List<LoggedEvent> events = new ArrayList<>();
        List<IndexEntry> entries = new ArrayList<>();
        for (LogRecords.Logged r : records) {
            if (r.topic() != io.netplane.events.Topic.INTENTS
                    && projection.apply(r.topicName(), r.partition(), r.offset(), r.key(), r.envelope())) {
                applied++;
            }
            events.add(new LoggedEvent(r.topicName(), r.partition(), r.offset(), AuditTopics.rank(prefix, r.topicName()),
                    r.timestamp(), r.text()));
            entries.add(IndexEntry.of(r.text()));
        }
        audit.insert(events, entries);
        assertEquals(0, applied, "every record was projected before");
        assertEquals(before, dump());
    }

    @Test
    void aDifferenceNamesTheEntityTheFieldAndBothValues() throws Exception {
        String copy = schema + "_copy";
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + copy + " cascade");
            s.execute("create schema " + copy);
            for (String table : TABLES) {
                s.execute("create table " + copy + "." + table + " as select * from " + schema + "." + table);
            }
        }
        try {
            assertEquals(List.of(), replay.differences(copy, schema));
            String id;
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 ResultSet row = s.executeQuery("select id from " + schema + ".endpoints where released is null limit 1")) {
                row.next();
                id = row.getString(1);
                s.executeUpdate("update " + copy + ".endpoints set mac = 'from-the-log' where id = '" + id + "'");
                s.executeUpdate("delete from " + copy + ".nodes");
            }
            List<String> differences = replay.differences(copy, schema);
            assertTrue(differences.stream().anyMatch(d -> d.startsWith("difference: endpoint " + id
                    + " mac: log=from-the-log database=02:42:")), differences.toString());
            assertTrue(differences.contains("difference: node " + NODE + " (row): log=(none) database=present"),
                    differences.toString());
        } finally {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("drop schema if exists " + copy + " cascade");
            }
        }
    }

    /** The projection applied and the indexer indexed every record of the list. */
    private boolean caughtUp(List<LogRecords.Logged> records) throws Exception {
        if (count("audit_events") != records.size()) {
            return false;
        }
        Map<String, Long> last = new java.util.HashMap<>();
        records.stream().filter(r -> r.topic() != io.netplane.events.Topic.INTENTS)
                .forEach(r -> last.merge(r.topicName() + "/" + r.partition(), r.offset(), Math::max));
        Map<String, Long> projected = new java.util.HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("select topic, partition, last_offset from " + schema + ".projection_offsets")) {
            while (row.next()) {
                projected.put(row.getString(1) + "/" + row.getInt(2), row.getLong(3));
            }
        }
        return projected.entrySet().containsAll(last.entrySet());
    }

    private long count(String table) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("select count(*) from " + schema + "." + table)) {
            row.next();
            return row.getLong(1);
        }
    }

    private String dump() throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet row = s.executeQuery("select t::text from " + schema + "." + table + " t order by 1")) {
                    while (row.next()) {
                        out.append(table).append(' ').append(row.getString(1)).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }
}
