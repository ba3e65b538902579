package io.netplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.netplane.e2e.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control panel (issue 9) in Debian's headless Chromium, against the real stack: api-service, ipam-service and
 * two simulated hosts (each a real agent in a network namespace of its own, joined by an underlay). An operator
 * signs in with a token, creates an overlay network and two sandboxes on it (one publishing a port) through the
 * forms, sees them in the topology picture with the VXLAN link between the hosts, sees a sandbox created by a
 * script appear live, connects and disconnects it, reads a history, and removes everything; an API error shows
 * next to the form that caused it, in the API's words; a viewer is offered no create, remove or connect; a create
 * held up by a host whose agent is down shows its operation pending with the events so far, and completes when the
 * agent is back. Screenshots of the main views go to deploy/target/screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlPanelEndToEndIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final int HOSTS = 2;

    private final String suffix = Stack.randomHex(6);
    private final String node = "e2p-" + suffix;
    private final String underlaySwitch = "npe2p-sw-" + suffix;
    private final String viewerToken = Stack.randomHex(64);
    private final List<String> namespaces = new ArrayList<>();
    private final Set<String> createdSandboxes = new LinkedHashSet<>();
    private final Set<String> createdNetworks = new LinkedHashSet<>();
    private Stack stack;
    private Api api;
    private Chromium chrome;
    private String base;

    private String host(int i) { return "npe2p-h" + i + "-" + suffix; }

    private String hostNode(int i) { return node + "-h" + i; }

    /** What the page showed when a test failed: deploy/target/screenshots/failed-<test>.png. */
    @RegisterExtension
    final TestWatcher screenshotOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            try {
                if (chrome != null) {
                    System.out.println("page at failure: " + chrome.screenshot("failed-" + context.getRequiredTestMethod().getName()));
                }
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    };

    @BeforeAll
    void startStackHostsAndBrowser() throws Exception {
        Stack.require(Chromium.installed(), "Debian's headless Chromium and its driver (" + Chromium.BROWSER + ", "
                + Chromium.DRIVER + ": apt-get install chromium chromium-driver; deploy/netplane installs them)");
        Path logs = SliceEndToEndIT.logFolder();
        Path tokens = logs.resolve("panel-tokens-" + suffix);
        Files.writeString(tokens, "e2e-viewer:viewer:" + viewerToken + "\n");
        Stack.start(new Stack.Settings(node, "npe2p-" + suffix, "npp" + suffix, "npe2p_" + suffix),
                Map.of("NETPLANE_AUTH_TOKENS_FILE", tokens.toString()), started -> stack = started, false);
        SimulatedUnderlay.startHosts(stack, underlaySwitch, HOSTS, this::host, this::hostNode, namespaces);
        api = new Api(stack.apiPort());
        stack.awaitHealthy(START_TIMEOUT);
        until(Duration.ofSeconds(60), "both simulated hosts ready", () -> {
            JsonNode nodes = api.get("/nodes").body();
            long ready = nodes == null ? 0 : java.util.stream.StreamSupport.stream(nodes.spliterator(), false)
                    .filter(n -> n.path("name").asText().startsWith(node + "-h") && "ready".equals(n.path("state").asText()))
                    .count();
            return ready == HOSTS ? true : null;
        });
        base = "http://127.0.0.1:" + stack.apiPort() + "/";
        Path screenshots = Path.of(System.getProperty("netplane.repo", "..")).resolve("deploy/target/screenshots");
        chrome = Chromium.start(screenshots, logs.resolve("chromedriver-" + suffix + ".log"));
    }

    @AfterAll
    void stopEverything() throws Exception {
        try {
            if (chrome != null) {
                chrome.close();
            }
        } finally {
            try {
                if (api != null) {
                    for (String sandbox : createdSandboxes) {
                        api.send("DELETE", "/sandboxes/" + sandbox, null);
                    }
                    for (String network : createdNetworks) {
                        api.send("DELETE", "/networks/" + network, null);
                    }
                }
            } finally {
                try {
                    if (stack != null) {
                        stack.close();
                    }
                } finally {
                    List<String> all = new ArrayList<>();
                    for (int i = 1; i <= HOSTS; i++) { // the agents' records of the sandbox namespaces they made
                        all.addAll(Stack.recordedNamespaces(hostNode(i)));
                    }
                    all.addAll(namespaces); // the hosts last: their bridges, VXLAN devices and veths go with them
                    Kernel.deleteNamespaces(all);
                }
            }
        }
    }

    @Test
    @Order(1)
    void aViewerIsOfferedNothingThatChangesTheCluster() throws Exception {
        String name = "seen-" + suffix;
        createdNetworks.add(name);
        JsonNode network = api.send("POST", "/networks", Map.of("name", name)).expect(201);

        signIn(viewerToken, "e2e-viewer · viewer");
        chrome.go("#/networks");
        chrome.await(By.cssSelector("#network-table tr[data-network='" + name + "']"));
        assertTrue(chrome.all(By.id("network-new")).isEmpty(), "a viewer gets no New network button");
        assertTrue(chrome.all(By.id("network-prune")).isEmpty(), "nor prune");
        assertTrue(chrome.all(By.id("network-form")).isEmpty(), "nor the form");
        chrome.screenshot("viewer-networks");

        chrome.go("#/networks/" + network.path("id").asText());
        chrome.awaitText(By.id("detail-name"), name);
        assertTrue(chrome.all(By.id("network-remove")).isEmpty(), "no Remove for a viewer");
        assertTrue(chrome.all(By.id("connect-form")).isEmpty(), "no connect form for a viewer");

        chrome.go("#/sandboxes");
        chrome.await(By.id("sandbox-table"));
        assertTrue(chrome.all(By.id("sandbox-new")).isEmpty(), "a viewer gets no New sandbox button");
        chrome.go("#/topology");
        chrome.present(By.cssSelector("#topology g.host[data-node='" + hostNode(1) + "']"));
        signOut();

        assertEquals(204, api.send("DELETE", "/networks/" + name, null).status());
        createdNetworks.remove(name);
    }

    @Test
    @Order(2)
    void anOperatorBuildsSeesAndRemovesEverythingThroughThePanel() throws Exception {
        signIn(Stack.ADMIN_TOKEN, "e2e-admin · admin");
        String net = "ov-" + suffix;
        String subnet = "10." + (100 + Integer.parseInt(suffix.substring(0, 2), 16) % 100) + "." + Integer.parseInt(suffix.substring(2, 4), 16) + ".0/24";

        // create a network through the form
        chrome.go("#/networks");
        chrome.click(By.id("network-new"));
        fillNetworkForm(net, subnet);
        createdNetworks.add(net);
        chrome.click(By.id("network-create-submit"));
        chrome.await(By.cssSelector("#network-table tr[data-network='" + net + "']"));
        chrome.awaitHidden(By.id("network-form")); // the operation ended (see createSandbox)
        JsonNode network = api.get("/networks/" + net).expect(200);
        assertEquals("overlay", network.path("driver").asText());
        assertEquals(subnet, network.path("subnets").path(0).path("subnet").asText());
        assertEquals("panel", network.path("labels").path("team").asText());
        assertEquals("1400", network.path("options").path("com.docker.network.driver.mtu").asText(), network.toString());
        String networkId = network.path("id").asText();

        // the same name again: the API's 409, in its words, next to the form
        Api.Response duplicate = api.send("POST", "/networks", Map.of("name", net));
        assertEquals(409, duplicate.status(), duplicate.toString());
        chrome.click(By.id("network-new"));
        fillNetworkForm(net, "");
        chrome.click(By.id("network-create-submit"));
        String shown = chrome.awaitText(By.cssSelector("#network-form .error-message"), net);
        assertEquals(duplicate.body().path("message").asText(), shown);
        chrome.screenshot("api-error");

        // two sandboxes on it, one per host; the second publishes port 80 on an ephemeral host port
        chrome.go("#/sandboxes");
        String a = "a-" + suffix;
        String b = "b-" + suffix;
        createSandbox(a, net, hostNode(1), "");
        createSandbox(b, net, hostNode(2), "80");
        JsonNode sandboxB = api.get("/sandboxes/" + b).expect(200);
        int hostPort = sandboxB.path("ports").path(0).path("hostPort").asInt();
        assertNotEquals(0, hostPort, sandboxB.toString());
        assertEquals("ready", api.get("/sandboxes/" + a).expect(200).path("state").asText());

        // a bad port: the API's 400 next to the sandbox form
        Api.Response badPort = api.send("POST", "/sandboxes", Map.of("name", "bad-" + suffix, "network", net,
                "ports", List.of(Map.of("containerPort", 99999))));
        assertEquals(400, badPort.status(), badPort.toString());
        chrome.click(By.id("sandbox-new"));
        chrome.type(By.cssSelector("#sandbox-form [name=name]"), "bad-" + suffix);
        chrome.select(By.cssSelector("#sandbox-form [name=network]"), net);
        chrome.type(By.cssSelector("#sandbox-form [name=ports]"), "99999");
        chrome.click(By.id("sandbox-create-submit"));
        assertEquals(badPort.body().path("message").asText(),
                chrome.awaitText(By.cssSelector("#sandbox-form .error-message"), "99999"));
        chrome.screenshot("sandboxes");

        // the picture: each sandbox on its host, its endpoint on the overlay's bridge, the VXLAN link, the port
        chrome.go("#/topology");
        String topology = "#topology ";
        chrome.present(By.cssSelector(topology + "g.host[data-node='" + hostNode(1) + "'] g.sandbox[data-name='" + a + "']"));
        chrome.present(By.cssSelector(topology + "g.host[data-node='" + hostNode(2) + "'] g.sandbox[data-name='" + b + "']"));
        for (int i = 1; i <= HOSTS; i++) {
            chrome.present(By.cssSelector(topology + "g.host[data-node='" + hostNode(i) + "'] g.bridge.overlay[data-network='" + net + "']"));
        }
        chrome.present(By.cssSelector(topology + "g.sandbox[data-name='" + a + "'] line.endpoint.ready[data-network='" + net + "']"));
        chrome.present(By.cssSelector(topology + "g.vxlan[data-network='" + net + "']"));
        chrome.present(By.cssSelector(topology + "g.sandbox[data-name='" + b + "'] g.port[data-port='" + hostPort + ":80/tcp']"));

        // live: a sandbox a script creates shows up in the picture and in the event log without a reload
        String c = "c-" + suffix;
        createdSandboxes.add(c);
        JsonNode sandboxC = api.send("POST", "/sandboxes", Map.of("name", c, "node", hostNode(1))).expect(201);
        chrome.present(By.cssSelector(topology + "g.host[data-node='" + hostNode(1) + "'] g.sandbox[data-name='" + c + "']"));
        chrome.awaitText(By.cssSelector("#event-list li[data-type='sandbox.scheduled']"), c);
        chrome.awaitGone(By.cssSelector(topology + ".recent")); // what the events named is highlighted for 2 s
        chrome.screenshot("topology");

        // connect that sandbox to the overlay network from the network's page, then disconnect it
        chrome.go("#/networks/" + networkId);
        chrome.awaitText(By.id("detail-name"), net);
        chrome.select(By.cssSelector("#connect-form [name=sandbox]"), sandboxC.path("id").asText());
        chrome.type(By.cssSelector("#connect-form [name=aliases]"), "late");
        chrome.click(By.id("connect-submit"));
        By cRow = By.cssSelector("#endpoint-table tr[data-sandbox='" + c + "']");
        chrome.await(cRow);
        JsonNode connected = api.get("/sandboxes/" + c).expect(200).path("networks").path(net);
        assertEquals("ready", connected.path("state").asText(), connected.toString());
        assertEquals("late", connected.path("aliases").path(0).asText(), connected.toString());
        chrome.awaitText(By.cssSelector("#endpoint-table tr[data-sandbox='" + b + "']"), "ready");
        chrome.screenshot("network-details");
        chrome.click(By.cssSelector("#endpoint-table tr[data-sandbox='" + c + "'] button"));
        chrome.awaitGone(cRow);
        assertTrue(api.get("/sandboxes/" + c).expect(200).path("networks").path(net).isMissingNode(), "disconnected");

        // the network's history: its create by the admin, the connect and disconnect
        chrome.click(By.linkText("History"));
        chrome.awaitText(By.cssSelector("#audit-table tr[data-type='network.create.requested']"), "e2e-admin");
        chrome.awaitText(By.cssSelector("#audit-table tr[data-type='endpoint.disconnect.requested']"), "e2e-admin");
        chrome.screenshot("history");

        // a sandbox's page, the nodes with their sandboxes
        chrome.go("#/sandboxes/" + sandboxB.path("id").asText());
        chrome.awaitText(By.id("detail-name"), b);
        chrome.awaitText(By.cssSelector(".facts"), hostNode(2));
        chrome.screenshot("sandbox-details");
        chrome.go("#/nodes");
        chrome.awaitText(By.cssSelector("#node-table tr[data-node='" + hostNode(1) + "']"), a);
        chrome.awaitText(By.cssSelector("#node-table tr[data-node='" + hostNode(2) + "']"), b);
        chrome.screenshot("nodes");

        // remove everything from the pages
        for (String sandbox : List.of(a, b, c)) {
            String id = api.get("/sandboxes/" + sandbox).expect(200).path("id").asText();
            chrome.go("#/sandboxes/" + id);
            chrome.awaitText(By.id("detail-name"), sandbox);
            chrome.click(By.id("sandbox-remove"));
            chrome.await(By.id("sandbox-table")); // the list again: the remove succeeded
            chrome.awaitGone(By.cssSelector("#sandbox-table tr[data-sandbox='" + sandbox + "']"));
            assertEquals(404, api.get("/sandboxes/" + sandbox).status());
            createdSandboxes.remove(sandbox);
        }
        chrome.go("#/networks/" + networkId);
        chrome.awaitText(By.id("detail-name"), net);
        chrome.click(By.id("network-remove"));
        chrome.await(By.id("network-table"));
        chrome.awaitGone(By.cssSelector("#network-table tr[data-network='" + net + "']"));
        assertEquals(404, api.get("/networks/" + net).status());
        createdNetworks.remove(net);
        chrome.go("#/topology");
        chrome.present(By.cssSelector(topology + "g.host[data-node='" + hostNode(1) + "']"));
        chrome.awaitGone(By.cssSelector(topology + "g.sandbox"));
        assertTrue(chrome.all(By.cssSelector(topology + "[data-network='" + net + "']")).isEmpty(), "the overlay is gone from the picture");

        // prune (admins only): removes the unused network a script made
        String spare = "spare-" + suffix;
        createdNetworks.add(spare);
        api.send("POST", "/networks", Map.of("name", spare)).expect(201);
        chrome.go("#/networks");
        chrome.await(By.cssSelector("#network-table tr[data-network='" + spare + "']"));
        chrome.click(By.id("network-prune"));
        chrome.acceptConfirm();
        assertEquals("Removed " + spare, chrome.awaitText(By.cssSelector(".notice"), spare));
        chrome.awaitGone(By.cssSelector("#network-table tr[data-network='" + spare + "']"));
        assertEquals(404, api.get("/networks/" + spare).status());
        createdNetworks.remove(spare);
        signOut();
    }

    @Test
    @Order(3)
    void aLongOperationShowsItsProgressUntilItSettles() throws Exception {
        signIn(Stack.ADMIN_TOKEN, "e2e-admin · admin");
        // host 2's agent is gone but still counts as ready (15 s window): a sandbox for it stays pending
        stack.killSimulatedAgent(hostNode(2));
        String slow = "slow-" + suffix;
        chrome.go("#/sandboxes");
        createdSandboxes.add(slow);
        chrome.click(By.id("sandbox-new"));
        chrome.type(By.cssSelector("#sandbox-form [name=name]"), slow);
        chrome.select(By.cssSelector("#sandbox-form [name=network]"), "bridge");
        chrome.select(By.cssSelector("#sandbox-form [name=node]"), hostNode(2));
        chrome.click(By.id("sandbox-create-submit"));
        chrome.awaitText(By.cssSelector("#sandbox-form .progress .op-state"), "sandbox.create pending");
        // ipam's answer arrives through the stream and is listed as a step of the operation
        chrome.awaitText(By.cssSelector("#sandbox-form .progress .steps"), "sandbox.scheduled");
        chrome.awaitText(By.cssSelector("#sandbox-form .progress .steps"), "endpoint.allocated");
        assertTrue(!chrome.await(By.id("sandbox-create-submit")).isEnabled(), "no second submit while it runs");
        chrome.screenshot("progress");

        stack.startSimulatedAgent(hostNode(2), host(2)); // back: it builds the sandbox, the operation succeeds
        chrome.awaitText(By.cssSelector("#sandbox-table tr[data-sandbox='" + slow + "']"), "ready");
        chrome.awaitGone(By.cssSelector("#sandbox-form .progress .op-state"));
        assertTrue(!chrome.driver().findElement(By.id("sandbox-form")).isDisplayed(), "the form closes when it succeeded");
        assertEquals("ready", api.get("/sandboxes/" + slow).expect(200).path("state").asText());
        assertEquals(204, api.send("DELETE", "/sandboxes/" + slow, null).status());
        createdSandboxes.remove(slow);
        signOut();
    }

    private void signIn(String token, String who) throws Exception {
        chrome.open(base);
        // a test that failed half-way may have left its session: sign out of it first
        boolean signedIn = until(Duration.ofSeconds(30), "the sign-in form or the panel", () -> {
            if (chrome.driver().findElement(By.id("signin")).isDisplayed()) {
                return false;
            }
            return chrome.driver().findElement(By.id("app")).isDisplayed() ? true : null;
        });
        if (signedIn) {
            signOut();
        }
        chrome.type(By.id("signin-token"), token);
        chrome.click(By.id("signin-submit"));
        chrome.awaitText(By.id("whoami"), who);
        chrome.awaitText(By.id("live"), "live");
    }

    private void signOut() throws Exception {
        chrome.click(By.id("signout"));
        chrome.await(By.id("signin-token"));
    }

    private void fillNetworkForm(String name, String subnet) throws Exception {
        chrome.type(By.cssSelector("#network-form [name=name]"), name);
        chrome.select(By.cssSelector("#network-form [name=driver]"), "overlay");
        chrome.type(By.cssSelector("#network-form [name=subnet]"), subnet);
        chrome.type(By.cssSelector("#network-form [name=labels]"), "team=panel");
        chrome.type(By.cssSelector("#network-form [name=mtu]"), "1400");
    }

    private void createSandbox(String name, String network, String onNode, String ports) throws Exception {
        createdSandboxes.add(name);
        chrome.click(By.id("sandbox-new"));
        chrome.type(By.cssSelector("#sandbox-form [name=name]"), name);
        chrome.select(By.cssSelector("#sandbox-form [name=network]"), network);
        chrome.select(By.cssSelector("#sandbox-form [name=node]"), onNode);
        chrome.type(By.cssSelector("#sandbox-form [name=ports]"), ports);
        chrome.click(By.id("sandbox-create-submit"));
        chrome.awaitText(By.cssSelector("#sandbox-table tr[data-sandbox='" + name + "']"), "ready");
        // the stream may show the row ready before the operation's poll ends and the page closes the form: the next
        // create must not open the form just before that close
        chrome.awaitHidden(By.id("sandbox-form"));
    }

}
