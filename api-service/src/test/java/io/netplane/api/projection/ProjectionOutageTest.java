package io.netplane.api.projection;

import io.netplane.api.BrokerPeer;
import io.netplane.events.data.Network;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.get;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

/**
 * PostgreSQL going away (a restart, a cut connection) while records arrive: the projection waits it out and then
 * applies them, none skipped, and goes on. The outage is this test database refusing connections after every
 * connection to it was terminated — as a restart looks to the pool.
 */
@QuarkusTest
@TestProfile(ProjectionOutageTest.Profile.class)
class ProjectionOutageTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-outage-" + BrokerPeer.suffix());
        }
    }

    private static final Duration SEEN = Duration.ofSeconds(30);

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String user;
    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    @Test
    void recordsThatArriveWhileTheDatabaseIsDownAreProjectedOnceItIsBack() throws Exception {
        try (BrokerPeer peer = new BrokerPeer(bootstrap, prefix)) {
            Network before = network("outage-before", 1);
            peer.publish(BrokerPeer.created(null, before));
            await().atMost(SEEN).until(() -> get("/api/v1/networks/" + before.name()).statusCode(), is(200));

            Network during = network("outage-during", 2);
            String database = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
            // the database itself cannot be closed from a connection to it: from the maintenance database
            String maintenance = jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1) + "postgres";
            try (Connection admin = DriverManager.getConnection(maintenance, user, password)) {
                try {
                    execute(admin, "alter database " + database + " allow_connections false");
                    execute(admin, "select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database
                            + "' and pid <> pg_backend_pid()");
                    peer.publish(BrokerPeer.created(null, during));
                    Thread.sleep(4_000); // longer than a few retries: the record is not skipped, the projection does not stop
                } finally {
                    execute(admin, "alter database " + database + " allow_connections true");
                }
            }
            await().atMost(SEEN).until(() -> get("/api/v1/networks/" + during.name()).statusCode(), is(200));

            Network after = network("outage-after", 3);
            peer.publish(BrokerPeer.created(null, after));
            await().atMost(SEEN).until(() -> get("/api/v1/networks/" + after.name()).statusCode(), is(200));
        }
    }

    private static Network network(String name, int octet) {
        return BrokerPeer.network(BrokerPeer.randomId(), name + "-" + BrokerPeer.suffix(), "10.213." + octet + ".0/24",
                "10.213." + octet + ".1", false);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
