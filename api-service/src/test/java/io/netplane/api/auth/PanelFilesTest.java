package io.netplane.api.auth;

import io.netplane.api.BrokerPeer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control panel's files are served at / without a credential (a browser loads them before it signs in), and
 * only they: every API and Docker path, and any other method on the panel's paths, still answers 401. Each module
 * the page loads, and each one those import, is there.
 */
@QuarkusTest
@TestProfile(PanelFilesTest.Profile.class)
class PanelFilesTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("netplane.topics.prefix", "nptest-api-panel-" + BrokerPeer.suffix());
        }
    }

    private static final Pattern IMPORT = Pattern.compile("(?:from|import)\\s+'(\\./|\\.\\./)([^']+)'");

    @Test
    void thePageAndEveryModuleItImportsAreServedWithoutACredential() {
        for (String page : List.of("/", "/index.html")) {
            given().auth().none().get(page).then().statusCode(200).contentType(startsWith("text/html"))
                    .body(containsString("<script type=\"module\" src=\"/panel/app.js\"></script>"));
        }
        given().auth().none().get("/panel/panel.css").then().statusCode(200).contentType(startsWith("text/css"));
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of("/panel/app.js"));
        while (!todo.isEmpty()) {
            String file = todo.pop();
            if (!seen.add(file)) {
                continue;
            }
            Response r = given().auth().none().get(file);
            r.then().statusCode(200).contentType(containsString("javascript"));
            String dir = file.substring(0, file.lastIndexOf('/') + 1);
            Matcher m = IMPORT.matcher(r.asString());
            while (m.find()) {
                String target = (m.group(1).equals("../") ? dir.substring(0, dir.lastIndexOf('/', dir.length() - 2) + 1) : dir)
                        + m.group(2);
                todo.push(target);
            }
        }
        assertTrue(seen.containsAll(List.of("/panel/app.js", "/panel/api.js", "/panel/store.js", "/panel/topology.js",
                "/panel/views/networks.js", "/panel/views/sandboxes.js", "/panel/views/nodes.js", "/panel/views/audit.js",
                "/panel/eventlog.js")), seen.toString());
    }

    @Test
    void everythingElseStillNeedsACredential() {
        for (String path : List.of("/api/v1/networks", "/api/v1/session", "/api/v1/events/stream", "/networks", "/_ping",
                "/v1.41/networks", "/v1.41/panel/app.js", "/panelx", "/api/v1/panel/app.js", "/panel/../api/v1/networks",
                "/favicon.ico", "/q/swagger-ui/../../api/v1/nodes")) {
            given().auth().none().get(path).then().statusCode(401);
        }
        // the panel's paths are open for reading only
        given().auth().none().post("/").then().statusCode(401);
        given().auth().none().delete("/panel/app.js").then().statusCode(401);
        given().auth().none().contentType("application/json").body("{}").post("/panel/x").then().statusCode(401);
    }
}
