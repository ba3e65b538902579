package io.netplane.api.auth;

import io.netplane.api.BrokerPeer;
import io.netplane.api.TestCredentials;
import io.netplane.api.docker.DockerCli;
import io.netplane.api.docker.IpamAndAgentPlayer;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.NetworkCreateRequested;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every class of call, native and Docker API (versioned and not), with no credential, each role's token,
 * basic users and the session cookie: 401 without or with a bad credential, 403 below the role the call
 * needs, the call's own answer otherwise. Then the real docker CLI with the token in its config.json.
 */
@QuarkusTest
@TestProfile(AccessControlTest.Profile.class)
class AccessControlTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-auth-" + BrokerPeer.suffix());
        }
    }

    static final String NODE = "node-" + BrokerPeer.suffix();
    static final String NO_LABEL = URLEncoder.encode("{\"label\":{\"acl-none=1\":true}}", StandardCharsets.UTF_8);

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @TestHTTPResource("/")
    URL url;
    @Inject
    SessionCookies sessions;

    static IpamAndAgentPlayer player;

    /** ipam and the node, played on the real broker; once, as the predefined networks may exist only once. */
    @BeforeEach
    void stack() {
        if (player == null) {
            player = new IpamAndAgentPlayer(bootstrap, prefix, NODE);
            player.predefined();
            await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/api/v1/networks/bridge").statusCode(),
                    equalTo(200));
        }
    }

    @AfterAll
    static void stop() {
        if (player != null) {
            player.close();
            assertEquals(List.of(), player.errors(), "the ipam/agent player failed");
            player = null;
        }
    }

    /** A call, the role it needs and what it answers once allowed (0: anything but 401/403). */
    record Call(String method, String path, String body, Role needed, int allowed) {
        boolean docker() {
            return !path.startsWith("/api/");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Call> CALLS = List.of(
            new Call("GET", "/api/v1/networks", null, Role.VIEWER, 200),
            new Call("GET", "/api/v1/networks/bridge", null, Role.VIEWER, 200),
            new Call("GET", "/api/v1/sandboxes", null, Role.VIEWER, 200),
            new Call("GET", "/api/v1/nodes", null, Role.VIEWER, 200),
            new Call("GET", "/api/v1/operations/" + "0".repeat(36), null, Role.VIEWER, 404),
            new Call("GET", "/api/v1/session", null, Role.VIEWER, 200),
            new Call("POST", "/api/v1/networks", "", Role.OPERATOR, 400),
            new Call("DELETE", "/api/v1/networks/acl-nosuch", null, Role.OPERATOR, 404),
            new Call("POST", "/api/v1/networks/acl-nosuch/connect", "{\"sandbox\":\"acl-nosuch\"}", Role.OPERATOR, 404),
            new Call("POST", "/api/v1/networks/acl-nosuch/disconnect", "{\"sandbox\":\"acl-nosuch\"}", Role.OPERATOR, 404),
            new Call("POST", "/api/v1/sandboxes", "", Role.OPERATOR, 400),
            new Call("DELETE", "/api/v1/sandboxes/acl-nosuch", null, Role.OPERATOR, 404),
            new Call("POST", "/api/v1/networks/prune", "", Role.ADMIN, 0),
            new Call("DELETE", "/api/v1/nodes/acl-nosuch", null, Role.ADMIN, 0),
            new Call("HEAD", "/_ping", null, Role.VIEWER, 200),
            new Call("GET", "/_ping", null, Role.VIEWER, 200),
            new Call("GET", "/v1.41/_ping", null, Role.VIEWER, 200),
            new Call("GET", "/version", null, Role.VIEWER, 200),
            new Call("GET", "/info", null, Role.VIEWER, 200),
            new Call("GET", "/networks", null, Role.VIEWER, 200),
            new Call("GET", "/v1.41/networks/bridge", null, Role.VIEWER, 200),
            new Call("POST", "/networks/create", "{\"Name\":\"\"}", Role.OPERATOR, 500),
            new Call("POST", "/v1.41/networks/create", "{\"Name\":\"\"}", Role.OPERATOR, 500),
            new Call("DELETE", "/v1.41/networks/acl-nosuch", null, Role.OPERATOR, 404),
            new Call("POST", "/networks/acl-nosuch/connect", "{\"Container\":\"acl-nosuch\"}", Role.OPERATOR, 404),
            new Call("POST", "/v1.41/networks/acl-nosuch/disconnect", "{\"Container\":\"acl-nosuch\"}", Role.OPERATOR, 404),
            new Call("POST", "/networks/prune?filters=" + NO_LABEL, "", Role.ADMIN, 200),
            new Call("POST", "/v1.41/networks/prune?filters=" + NO_LABEL, "", Role.ADMIN, 200));

    static final Map<Role, String> TOKENS = Map.of(Role.VIEWER, TestCredentials.VIEWER_TOKEN,
            Role.OPERATOR, TestCredentials.OPERATOR_TOKEN, Role.ADMIN, TestCredentials.ADMIN_TOKEN);

    private static Response send(RequestSpecification spec, Call call) {
        if (call.body() != null) {
            spec = spec.contentType("application/json").body(call.body());
        }
        return spec.urlEncodingEnabled(false).request(call.method(), call.path());
    }

    @Test
    void everyCallNeedsACredential() {
        for (Call call : CALLS) {
            Response r = send(given().auth().none(), call);
            assertEquals(401, r.statusCode(), call + ": " + r.asString());
            List<String> challenges = r.headers().getValues("WWW-Authenticate");
            assertTrue(challenges.contains("Bearer realm=\"netplane\""), call + ": " + challenges);
            assertTrue(challenges.stream().anyMatch(c -> c.startsWith("Basic realm=\"netplane\"")), call + ": " + challenges);
            if (call.method().equals("HEAD")) {
                continue;
            }
            if (call.docker()) {
                r.then().body("message", containsString("put {\"HttpHeaders\": {\"Authorization\": \"Bearer <token>\"}}"))
                        .body("code", nullValue());
            } else {
                r.then().body("code", equalTo("unauthorized"))
                        .body("message", containsString("send Authorization: Bearer <token>"))
                        .body("details.schemes", hasItems("Bearer", "Basic"));
            }
        }
        // a too-new Docker API version is not told before the caller authenticated
        given().auth().none().get("/v1.99/networks").then().statusCode(401);
        given().get("/v1.99/networks").then().statusCode(400)
                .body("message", equalTo("client version 1.99 is too new. Maximum supported API version is 1.41"));
    }

    @Test
    void healthChecksStayOpenForProbes() {
        int status = given().auth().none().get("/q/health/ready").statusCode();
        assertTrue(status == 200 || status == 503, "health answered " + status);
        given().auth().none().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void badCredentialsAre401WithTheReason() {
        given().auth().oauth2("not-a-token-of-ours-at-all").get("/api/v1/networks").then().statusCode(401)
                .body("message", equalTo("authentication failed: invalid bearer token"));
        given().auth().preemptive().basic("alice", "wrong").get("/api/v1/networks").then().statusCode(401)
                .body("message", equalTo("authentication failed: invalid user name or password"));
        given().auth().preemptive().basic("nobody", TestCredentials.ALICE_PASSWORD).get("/networks").then().statusCode(401)
                .body("message", equalTo("authentication failed: invalid user name or password"));
        given().auth().none().header("Authorization", "Digest username=\"x\"").get("/api/v1/networks").then()
                .statusCode(401).body("message", equalTo("authentication failed: unsupported authorization scheme"
                        + " \"Digest\": use Bearer or Basic"));
        given().auth().none().header("Authorization", "Basic %%%").get("/_ping").then().statusCode(401)
                .body("message", equalTo("authentication failed: malformed Basic credential: not base64"));
    }

    @Test
    void eachRoleMayDoWhatItsRoleAllowsAndGets403Above() {
        List<String> wrong = new ArrayList<>();
            for (Role role : Role.values()) {
                for (Call call : CALLS) {
                    Response r = send(given().auth().oauth2(TOKENS.get(role)), call);
                    String seen = role.wireName() + " " + call + " -> " + r.statusCode() + " " + r.asString();
                    if (!role.grants(call.needed())) {
                        if (r.statusCode() != 403) {
                            wrong.add(seen);
                            continue;
                        }
                        String principal = "test-" + role.wireName();
                        String message = "permission denied: " + principal + " (role " + role.wireName() + ") may not "
                                + call.method() + " " + call.path().replaceFirst("^/v1\\.41", "").replaceFirst("\\?.*", "")
                                + ": that needs role " + call.needed().wireName();
                        r.then().body("message", equalTo(message));
                        if (call.docker()) {
                            r.then().body("code", nullValue());
                        } else {
                            r.then().body("code", equalTo("forbidden")).body("details.required", equalTo(call.needed().wireName()))
                                    .body("details.principal", equalTo(principal));
                        }
                    } else if (call.allowed() == 0 ? r.statusCode() == 401 || r.statusCode() == 403
                            : r.statusCode() != call.allowed()) {
                        wrong.add(seen);
                    }
                }
            }
        assertEquals(List.of(), wrong);
    }

    @Test
    void basicUsersCarryTheirRole() {
        given().auth().preemptive().basic("victor", TestCredentials.VICTOR_PASSWORD).get("/api/v1/session").then()
                .statusCode(200).body("principal", equalTo("victor")).body("role", equalTo("viewer"))
                .body("credential", equalTo("basic"));
        given().auth().preemptive().basic("victor", TestCredentials.VICTOR_PASSWORD).contentType("application/json")
                .body("{}").post("/api/v1/sandboxes").then().statusCode(403);
        given().auth().preemptive().basic("alice", TestCredentials.ALICE_PASSWORD).contentType("application/json")
                .body("").post("/api/v1/sandboxes").then().statusCode(400); // operator: allowed, the body is wrong
    }

    @Test
    void sessionCookieSignsInABrowser() {
        Response signIn = given().auth().preemptive().basic("victor", TestCredentials.VICTOR_PASSWORD).post("/api/v1/session");
        signIn.then().statusCode(200).body("principal", equalTo("victor")).body("role", equalTo("viewer"))
                .body("expires", containsString("T"));
        String setCookie = signIn.header("Set-Cookie");
        assertTrue(setCookie.matches("netplane_session=[^;]+; Path=/api/v1; Max-Age=28800; HttpOnly; SameSite=Strict"),
                setCookie);
        String cookie = signIn.cookie("netplane_session");

        given().auth().none().cookie("netplane_session", cookie).get("/api/v1/networks").then().statusCode(200);
        given().auth().none().cookie("netplane_session", cookie).get("/api/v1/session").then().statusCode(200)
                .body("principal", equalTo("victor")).body("credential", equalTo("session"));
        given().auth().none().cookie("netplane_session", cookie).contentType("application/json").body("")
                .post("/api/v1/networks").then().statusCode(403).body("details.role", equalTo("viewer"));
        // only the native API takes the cookie
        given().auth().none().cookie("netplane_session", cookie).get("/networks").then().statusCode(401);
        // tampered: another role in the payload, the signature no longer matches
        String payload = new String(java.util.Base64.getUrlDecoder().decode(cookie.substring(0, cookie.indexOf('.'))),
                StandardCharsets.UTF_8).replace("\nviewer\n", "\nadmin\n");
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + cookie.substring(cookie.indexOf('.'));
        given().auth().none().cookie("netplane_session", forged).get("/api/v1/networks").then().statusCode(401)
                .body("message", containsString("session expired or invalid"));
        // expired
        String expired = sessions.value(new SessionCookies.Session(new Grant("victor", Role.VIEWER),
                Instant.now().minusSeconds(1)));
        given().auth().none().cookie("netplane_session", expired).get("/api/v1/networks").then().statusCode(401);
        // sign out: the browser is told to drop the cookie
        String cleared = given().auth().none().cookie("netplane_session", cookie).delete("/api/v1/session")
                .then().statusCode(204).extract().header("Set-Cookie");
        assertTrue(cleared.startsWith("netplane_session=; Path=/api/v1; Max-Age=0;"), cleared);
    }

    @Test
    void dockerCliSendsTheTokenFromItsConfig() {
        if (!DockerCli.available()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("the Docker CLI is missing at " + DockerCli.BINARY);
            }
            Assumptions.abort("no Docker CLI at " + DockerCli.BINARY);
        }
        String host = "tcp://" + url.getHost() + ":" + url.getPort();
        try (BrokerPeer peer = new BrokerPeer(bootstrap, prefix)) {
            DockerCli.Result anonymous = new DockerCli(host, Map.of(), null).run("network", "ls");
            assertEquals(1, anonymous.exit(), anonymous.toString());
            assertEquals("Error response from daemon: authentication required: netplane needs a token; put"
                    + " {\"HttpHeaders\": {\"Authorization\": \"Bearer <token>\"}} into $DOCKER_CONFIG/config.json"
                    + " (default ~/.docker/config.json)\n", anonymous.stderr(), anonymous.toString());
            DockerCli.Result forged = new DockerCli(host, Map.of(), "0123456789abcdef0123").run("network", "ls");
            assertEquals("Error response from daemon: authentication failed: invalid bearer token\n", forged.stderr(),
                    forged.toString());

            DockerCli viewer = new DockerCli(host, Map.of(), TestCredentials.VIEWER_TOKEN);
            DockerCli.Result ls = viewer.run("network", "ls", "--format", "{{.Name}}");
            assertEquals(0, ls.exit(), ls.toString());
            assertTrue(ls.stdout().contains("bridge\n"), ls.toString());
            DockerCli.Result refused = viewer.run("network", "create", "acl-viewer");
            assertEquals(1, refused.exit(), refused.toString());
            assertEquals("Error response from daemon: permission denied: test-viewer (role viewer) may not POST"
                    + " /networks/create: that needs role operator\n", refused.stderr(), refused.toString());

            DockerCli operator = new DockerCli(host, Map.of(), TestCredentials.OPERATOR_TOKEN);
            String name = "acl-" + BrokerPeer.suffix();
            DockerCli.Result created = operator.run("network", "create", "--label", "acl=1", name);
            assertEquals(0, created.exit(), created.toString());
            Envelope intent = peer.awaitIntent(e -> e.is(EventType.NETWORK_CREATE_REQUESTED)
                    && name.equals(e.data(NetworkCreateRequested.class).name()), Duration.ofSeconds(10));
            assertEquals("test-operator", intent.actor(), "the intent on Kafka carries the principal");
            DockerCli.Result prune = operator.run("network", "prune", "-f", "--filter", "label=acl=1");
            assertEquals(1, prune.exit(), prune.toString());
            assertEquals("Error response from daemon: permission denied: test-operator (role operator) may not POST"
                    + " /networks/prune: that needs role admin\n", prune.stderr(), prune.toString());

            DockerCli admin = new DockerCli(host, Map.of(), TestCredentials.ADMIN_TOKEN);
            DockerCli.Result pruned = admin.run("network", "prune", "-f", "--filter", "label=acl=1");
            assertEquals(0, pruned.exit(), pruned.toString());
            assertEquals("Deleted Networks:\n" + name + "\n\n", pruned.stdout(), pruned.toString());
            Envelope remove = peer.awaitIntent(e -> e.is(EventType.NETWORK_REMOVE_REQUESTED)
                    && intent.data(NetworkCreateRequested.class).networkId().equals(e.subject().id()), Duration.ofSeconds(10));
            assertEquals(TestCredentials.ADMIN, remove.actor());
        }
    }
}
