package io.netplane.api;

import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** After PostgreSQL dropped every connection (as a restart does), the next calls are answered, not failed. */
@QuarkusTest
class DatabaseRestartTest {
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;
    @ConfigProperty(name = "quarkus.datasource.username")
    String user;
    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    @Test
    void callsAfterTheDatabaseDroppedThePoolsConnectionsAreAnswered() throws Exception {
        for (int i = 0; i < 4; i++) { // the pool holds connections now
            given().get("/api/v1/networks").then().statusCode(200);
        }
        int dropped = dropEveryOtherConnection();
        assertTrue(dropped > 0, "the service held no connection to drop");
        Thread.sleep(1_500); // as after a restart: the pool's connections were idle meanwhile
        for (int i = 0; i < 20; i++) {
            given().get("/api/v1/networks").then().statusCode(200);
            given().get("/api/v1/networks/no-such-network-dbrestart").then().statusCode(404);
        }
    }

    /** What a restart does to the service's connections: every backend of this database but our own ends. */
    private int dropEveryOtherConnection() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity"
                     + " where datname = current_database() and pid <> pg_backend_pid()"
                     + " and backend_type = 'client backend'")) {
            r.next();
            return r.getInt(1);
        }
    }
}
