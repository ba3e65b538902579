package io.netplane.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** CORS switched on for one control panel's origin, as api-service/README.md documents it. */
@QuarkusTest
@TestProfile(CorsTest.Profile.class)
class CorsTest {
    static final String PANEL = "https://panel.example.com";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-cors-" + BrokerPeer.suffix(),
                    "quarkus.http.cors.enabled", "true",
                    "quarkus.http.cors.origins", PANEL);
        }
    }

    @Test
    void thePanelsOriginMayCallTheApi() {
        given().header("Origin", PANEL).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .options("/api/v1/networks").then().statusCode(200)
                .header("Access-Control-Allow-Origin", equalTo(PANEL))
                .header("Access-Control-Allow-Methods", containsString("POST"));
        given().header("Origin", PANEL).get("/api/v1/networks").then().statusCode(200)
                .header("Access-Control-Allow-Origin", equalTo(PANEL))
                .header("Access-Control-Expose-Headers", containsString("X-Netplane-Operation"));
    }

    @Test
    void anotherOriginIsNotAllowed() {
        given().header("Origin", "https://evil.example.com").get("/api/v1/networks").then()
                .header("Access-Control-Allow-Origin", not(equalTo("https://evil.example.com")))
                .header("Access-Control-Allow-Origin", nullValue());
    }
}
