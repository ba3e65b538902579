package io.netplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.netplane.e2e.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coexistence with Docker (issue 7, Must show): one simulated host — a network namespace on an underlay bridge,
 * as {@code up --hosts} makes — on which a real Docker daemon (Debian's docker.io, started by
 * deploy/lib/docker-in-netns inside that namespace, containers from a {@code docker import} of busybox-static)
 * and a netplane node-agent (runner jar, its kernel work in that namespace) both run. Docker found ip_forward off,
 * so it set the iptables FORWARD policy to DROP and made DOCKER-USER, as on a real Docker host. Shown: netplane
 * picks subnets Docker does not use (docker0, a Docker network made before the agent started, one made after: the
 * agent's heartbeat reports it and ipam skips it); netplane's sandboxes ping each other, resolve each other's
 * names, reach the underlay, and a published port answers at the host's underlay address — through Docker's DROP
 * policy, thanks to netplane's accepts in DOCKER-USER (their counters move); Docker's containers still reach each
 * other by name, the underlay, and their published port, with netplane's table in place; both keep working when
 * the daemon restarts, and the agent's periodic converge puts back accepts DOCKER-USER lost. The machine's own
 * iptables and nftables rules are the same after the test as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoexistenceEndToEndIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final String UNDERLAY = "198.18.0.11";
    private static final String CLIENT = "198.18.0.99";

    private final String suffix = Stack.randomHex(6);
    private final String node = "e2c-" + suffix;
    private final String host = "npcx-h1-" + suffix;
    private final String client = "npcx-cl-" + suffix;
    private final String underlaySwitch = "npcx-sw-" + suffix;
    private final String image = "npcx-" + suffix + "/busybox:1";
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();
    private final Map<String, JsonNode> sandboxes = new LinkedHashMap<>();
    private final Path script = Path.of(System.getProperty("netplane.repo", "..")).toAbsolutePath().normalize()
            .resolve("deploy/lib/docker-in-netns");
    private Path work;
    private Path www;
    private String firewallBefore;
    private Stack stack;
    private Api api;
    private String dockerSubnet;

    private String hostNode() { return node + "-h1"; }

    @BeforeAll
    void startDockerThenAgent() throws Exception {
        Stack.require(onPath("dockerd") && onPath("docker"), "Docker (dockerd and docker: apt-get install docker.io)");
        Stack.require(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox (apt-get install busybox-static)");
        Stack.require(onPath("iptables-save") && onPath("nft") && onPath("unshare") && onPath("nsenter"),
                "iptables, nftables and util-linux (unshare, nsenter)");
        Stack.require(Files.isExecutable(script), script + " (executable)");
        firewallBefore = hostFirewall();
        work = Files.createTempDirectory("npcx-" + suffix + "-");

        namespaces.add(underlaySwitch);
        sh("ip", "netns", "add", underlaySwitch);
        sh("ip", "-n", underlaySwitch, "link", "add", "underlay", "type", "bridge");
        sh("ip", "-n", underlaySwitch, "link", "set", "underlay", "up");
        for (String[] member : List.of(new String[] {host, UNDERLAY, "h1"}, new String[] {client, CLIENT, "cl"})) {
            String ns = member[0];
            namespaces.add(ns);
            sh("ip", "netns", "add", ns);
            sh("ip", "-n", underlaySwitch, "link", "add", member[2], "type", "veth", "peer", "name", "eth0", "netns", ns);
            sh("ip", "-n", underlaySwitch, "link", "set", member[2], "master", "underlay", "up");
            sh("ip", "-n", ns, "addr", "add", member[1] + "/24", "dev", "eth0");
            sh("ip", "-n", ns, "link", "set", "eth0", "up");
            sh("ip", "-n", ns, "link", "set", "lo", "up");
        }
        sh("ip", "-n", host, "route", "add", "default", "via", "198.18.0.1"); // the agent's underlay: this link's address
        // as on a fresh host: Docker turns forwarding on itself and then sets the FORWARD policy to DROP
        sh("ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.ip_forward=0");

        sh(script.toString(), "start", host, work.toString());
        sh(script.toString(), "image", work.toString(), image);
        docker("network", "create", "dnet-" + suffix);
        dockerSubnet = docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "dnet-" + suffix).trim();
        startWebContainer();

        Stack.start(new Stack.Settings(node, "npcx-" + suffix, "npc" + suffix, "npcx_" + suffix), Map.of(), started -> stack = started, false);
        // a short periodic converge: the test waits for it to put back accepts Docker's side lost
        stack.startSimulatedAgent(hostNode(), host, Map.of("NETPLANE_RECONCILE_INTERVAL", "2s"));
        api = new Api(stack.apiPort());
        stack.awaitHealthy(START_TIMEOUT);
        until(Duration.ofSeconds(60), "the simulated host ready, reporting Docker's subnets as routed", () -> {
            JsonNode n = nodeView();
            return n != null && "ready".equals(n.path("state").asText()) && UNDERLAY.equals(n.path("underlayAddress").asText())
                    && routed(n).contains("172.17.0.0/16") && routed(n).contains(dockerSubnet) ? true : null;
        });
    }

    @AfterAll
    void stopEverything() throws Exception {
        servers.forEach(Process::destroyForcibly);
        try {
            if (api != null) {
                for (String name : sandboxes.keySet()) {
                    api.send("DELETE", "/sandboxes/" + name, null);
                }
            }
        } finally {
            try {
                if (stack != null) {
                    stack.close();
                }
            } finally {
                if (work != null) {
                    run(Duration.ofSeconds(60), script.toString(), "stop", work.toString());
                }
                List<String> all = new ArrayList<>();
                for (JsonNode sandbox : sandboxes.values()) {
                    all.add(sandbox.path("netns").asText());
                }
                all.addAll(Stack.recordedNamespaces(hostNode()));
                all.addAll(namespaces); // the hosts last: Docker's and netplane's links go with them
                Kernel.deleteNamespaces(all);
                if (work != null) {
                    run(Duration.ofSeconds(60), "rm", "-rf", work.toString());
                }
                if (www != null) {
                    run(Duration.ofSeconds(60), "rm", "-rf", www.toString());
                }
                if (firewallBefore != null) {
                    assertEquals(firewallBefore, hostFirewall(), "the host's own firewall changed (iptables-save / nft list ruleset)");
                }
            }
        }
    }

    @Test
    void dockerAndNetplaneShareOneHost() throws Exception {
        // Docker's forwarding as on a Docker host: policy DROP, DOCKER-USER first
        String forward = inHost("iptables", "-S", "FORWARD");
        assertTrue(forward.contains("-P FORWARD DROP"), forward);
        assertTrue(forward.contains("-A FORWARD -j DOCKER-USER"), forward);
        dockerWorks("before netplane's table");

        // subnets: the default bridge and new networks avoid docker0 and Docker's networks, also one made now
        List<String> docker = new ArrayList<>(List.of("172.17.0.0/16", dockerSubnet));
        String defaultBridge = subnet(api.get("/networks/bridge").expect(200));
        String first = subnet(api.send("POST", "/networks", Map.of("name", "np1-" + suffix)).expect(201));
        assertNoOverlap(List.of(defaultBridge, first), docker);
        String next = nextBlock(first); // where netplane's next automatic subnet would go
        long routedBefore = ipamRouted();
        docker("network", "create", "--subnet", next, "dlate-" + suffix);
        docker.add(next);
        until(Duration.ofSeconds(30), "the agent's heartbeat reports " + next + " and ipam took it", () ->
                routed(nodeView()).contains(next) && ipamRouted() > routedBefore ? true : null);
        String second = subnet(api.send("POST", "/networks", Map.of("name", "np2-" + suffix)).expect(201));
        assertNoOverlap(List.of(second), docker);
        assertTrue(!Cidr.overlap(second, first) && !Cidr.overlap(second, defaultBridge), second);
        System.out.println("coexistence: Docker's subnets " + docker + "; netplane's bridge " + defaultBridge
                + ", np1 " + first + ", np2 " + second);

        // netplane's sandboxes on the same host: ping, DNS, a published port at the underlay address, the underlay
        int port = 21000 + Integer.parseInt(Stack.randomHex(3), 16) % 4000;
        JsonNode a = sandbox("sa-" + suffix, "np1-" + suffix, List.of(Map.of("containerPort", 8080, "hostPort", port)));
        JsonNode b = sandbox("sb-" + suffix, "np1-" + suffix, null);
        String aNetns = a.path("netns").asText();
        String bAddress = b.path("networks").path("np1-" + suffix).path("ipAddress").asText();
        // not under the daemon's folder: `docker-in-netns stop` ends every process naming it
        www = Files.createTempDirectory("npcx-www-" + suffix + "-");
        Files.writeString(www.resolve("index.html"), "np-sa\n");
        servers.add(Kernel.startIn(aNetns, "busybox", "httpd", "-f", "-p", "8080", "-h", www.toString()));

        String table = inHost("nft", "list", "table", "inet", "netplane");
        assertTrue(table.contains("chain forward"), table);
        String bridge = api.get("/networks/np1-" + suffix).expect(200).path("bridge").asText();
        String accepts = inHost("iptables", "-S", "DOCKER-USER");
        assertTrue(accepts.contains("-i " + bridge + " ") && accepts.contains("-o " + bridge + " "),
                "netplane's accepts for " + bridge + " in DOCKER-USER:\n" + accepts);

        assertOk(Kernel.execIn(aNetns, "ping", "-c", "1", "-W", "2", bAddress), "sandbox ping");
        Kernel.Output byName = Kernel.execIn(aNetns, "getent", "hosts", "sb-" + suffix);
        assertOk(byName, "sandbox DNS");
        assertTrue(byName.text().startsWith(bAddress + " "), byName.text());
        until(Duration.ofSeconds(20), "netplane's published port at " + UNDERLAY + ":" + port, () ->
                get(client, UNDERLAY, port).startsWith("np-sa") ? true : null);
        assertOk(Kernel.execIn(aNetns, "ping", "-c", "1", "-W", "2", CLIENT), "sandbox to the underlay (forwarded, masqueraded)");
        long counted = 0;
        for (String line : inHost("iptables", "-v", "-x", "-n", "-L", "DOCKER-USER").split("\n")) {
            if (line.contains(bridge) && line.trim().matches("\\d+ .*")) {
                counted += Long.parseLong(line.trim().split("\\s+")[0]);
            }
        }
        assertTrue(counted > 0, "netplane's accepts in DOCKER-USER let its forwarded packets through Docker's DROP policy");

        // Docker's containers, with netplane's table and accepts in place
        dockerWorks("after netplane's table");

        // a restarted daemon rebuilds its chains but keeps DOCKER-USER: netplane's accepts and both data planes stay
        sh(script.toString(), "stop", work.toString());
        sh(script.toString(), "start", host, work.toString());
        String kept = inHost("iptables", "-S");
        assertTrue(kept.contains("-P FORWARD DROP") && kept.contains("-A DOCKER-USER -i " + bridge + " "), kept);
        startWebContainer();
        dockerWorks("after the daemon restarted");
        until(Duration.ofSeconds(20), "netplane's published port after Docker restarted", () ->
                get(client, UNDERLAY, port).startsWith("np-sa") ? true : null);
        assertOk(Kernel.execIn(aNetns, "ping", "-c", "1", "-W", "2", CLIENT), "sandbox to the underlay after Docker restarted");

        // DOCKER-USER emptied behind netplane's back (a Docker upgrade, another tool): the periodic converge puts
        // the accepts back and the published port answers again
        inHost("iptables", "-F", "DOCKER-USER");
        inHost("iptables", "-A", "DOCKER-USER", "-j", "RETURN");
        until(Duration.ofSeconds(20), "netplane's accepts back in DOCKER-USER", () ->
                inHost("iptables", "-S", "DOCKER-USER").contains("-A DOCKER-USER -i " + bridge + " ") ? true : null);
        until(Duration.ofSeconds(20), "netplane's published port with its accepts back", () ->
                get(client, UNDERLAY, port).startsWith("np-sa") ? true : null);

        for (String name : List.copyOf(sandboxes.keySet())) {
            assertEquals(204, api.send("DELETE", "/sandboxes/" + name, null).status(), name);
            sandboxes.remove(name);
        }
        assertEquals(204, api.send("DELETE", "/networks/np1-" + suffix, null).status());
        assertEquals(204, api.send("DELETE", "/networks/np2-" + suffix, null).status());
    }

    /** Busybox httpd on Docker's network dnet, published on the host's port 18081 (the containers die with a stop). */
    private void startWebContainer() throws Exception {
        docker("run", "-d", "--name", "web-" + suffix, "--network", "dnet-" + suffix, "-p", "18081:80", image,
                "sh", "-c", "mkdir -p /www && echo dk-web > /www/index.html && exec httpd -f -p 80 -h /www");
    }

    /** A container reaches another by name, the underlay, and its published port answers at the underlay address. */
    private void dockerWorks(String when) throws Exception {
        String byName = docker("run", "--rm", "--network", "dnet-" + suffix, image, "timeout", "5", "wget", "-q", "-O", "-", "http://web-" + suffix + "/");
        assertEquals("dk-web", byName.trim(), "container to container " + when);
        docker("run", "--rm", "--network", "dnet-" + suffix, image, "ping", "-c", "1", "-W", "2", CLIENT);
        String published = until(Duration.ofSeconds(20), "Docker's published port at " + UNDERLAY + ":18081 " + when, () -> {
            String body = get(client, UNDERLAY, 18081);
            return body.startsWith("dk-web") ? body : null;
        });
        assertEquals("dk-web", published.trim());
    }

    private JsonNode sandbox(String name, String network, Object ports) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("name", name, "network", network, "node", hostNode()));
        if (ports != null) {
            body.put("ports", ports);
        }
        JsonNode created = api.send("POST", "/sandboxes", body).expect(201);
        sandboxes.put(name, created);
        return created;
    }

    private JsonNode nodeView() throws Exception {
        JsonNode nodes = api.get("/nodes").body();
        for (JsonNode n : nodes == null ? List.<JsonNode>of() : nodes) {
            if (hostNode().equals(n.path("name").asText())) {
                return n;
            }
        }
        return null;
    }

    private static List<String> routed(JsonNode node) {
        List<String> subnets = new ArrayList<>();
        if (node != null) {
            node.path("routedSubnets").forEach(s -> subnets.add(s.asText()));
        }
        return subnets;
    }

    /** Subnets ipam's pools count as routed on some node (GET /ipam/pools). */
    private long ipamRouted() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + stack.ipamPort() + "/ipam/pools")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        long routed = 0;
        for (JsonNode pool : Api.JSON.readTree(r.body())) {
            routed += pool.path("routed").asLong();
        }
        return routed;
    }

    private static String subnet(JsonNode network) {
        String subnet = network.path("subnets").path(0).path("subnet").asText();
        assertFalse(subnet.isEmpty(), network.toString());
        return subnet;
    }

    private static void assertNoOverlap(List<String> netplane, List<String> docker) {
        for (String n : netplane) {
            for (String d : docker) {
                assertFalse(Cidr.overlap(n, d), "netplane's " + n + " overlaps Docker's " + d);
            }
        }
    }

    /** The block of the same size right after {@code cidr}. */
    static String nextBlock(String cidr) {
        String[] parts = cidr.split("/");
        int bits = Integer.parseInt(parts[1]);
        long base = 0;
        for (String octet : parts[0].split("\\.")) {
            base = base << 8 | Integer.parseInt(octet);
        }
        long next = base + (1L << (32 - bits));
        return (next >> 24 & 255) + "." + (next >> 16 & 255) + "." + (next >> 8 & 255) + "." + (next & 255) + "/" + bits;
    }

    /** One HTTP GET from inside {@code netns}; the body, or "" when nothing answered. */
    private static String get(String netns, String address, int port) throws Exception {
        Kernel.Output out = Kernel.execIn(netns, "curl", "-s", "--noproxy", "*", "-m", "2", "http://" + address + ":" + port + "/");
        return out.status() == 0 ? out.text() : "";
    }

    private static void assertOk(Kernel.Output out, String what) {
        assertEquals(0, out.status(), what + ": " + out.text());
    }

    private String inHost(String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("ip", "netns", "exec", host));
        args.addAll(List.of(command));
        return sh(args.toArray(String[]::new));
    }

    private String docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + work.resolve("docker.sock")));
        command.addAll(List.of(args));
        return sh(command.toArray(String[]::new));
    }

    /**
     * The machine's rules, as the bench compares them, without counters and generated-at comments. Left out: the
     * tables other e2e runs add and remove meanwhile (their own random suffix) and the running stack's
     * {@code inet netplane} (deploy/netplane up; its users change it meanwhile) — this test runs no agent on the
     * machine itself, so nothing of it writes there.
     */
    private String hostFirewall() throws Exception {
        String iptables = run(Duration.ofSeconds(30), "iptables-save").text().replaceAll("(?m)^#.*\n", "")
                .replaceAll("\\[\\d+:\\d+]", "");
        Map<String, String> tables = new TreeMap<>();
        String current = null;
        StringBuilder block = new StringBuilder();
        for (String line : run(Duration.ofSeconds(30), "nft", "list", "ruleset").text().split("\n")) {
            if (line.startsWith("table ")) {
                current = line;
                block.setLength(0);
            }
            block.append(line).append('\n');
            if (line.equals("}") && current != null) {
                tables.put(current, block.toString());
                current = null;
            }
        }
        tables.keySet().removeIf(t -> t.equals("table inet netplane {")
                || t.matches("table \\S+ np\\S*_[0-9a-f]{6} \\{") && !t.contains(suffix));
        return iptables + "-- nft\n" + String.join("", tables.values());
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static String sh(String... command) throws Exception {
        Kernel.Output out = run(Duration.ofSeconds(120), command);
        if (out.status() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + out.status() + "): " + out.text());
        }
        return out.text();
    }

    private static Kernel.Output run(Duration timeout, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] text = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + String.join(" ", command));
        }
        return new Kernel.Output(p.exitValue(), new String(text, StandardCharsets.UTF_8));
    }
}
