package io.netplane.agent.dataplane;

import io.netplane.agent.IpCommand;
import io.netplane.agent.Netns;
import io.netplane.agent.TestRequirements;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.kernel.Nftables;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.reconcile.KernelThread;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host as Docker leaves it — iptables(-nft) {@code ip filter} with FORWARD policy DROP and a DOCKER-USER chain —
 * in a throwaway "host" namespace with an "outside" namespace behind its uplink. Without netplane's accepts the
 * sandbox cannot reach outside and the published port does not answer from outside; with them both pass; they
 * move to FORWARD when DOCKER-USER goes, and leave with the network, touching none of the other rules.
 */
class ForwardDropHostTest {
    private static final String NODE = "npt-fd-" + IpCommand.hex(3);
    private static final String TAG = IpCommand.hex(3);
    private static final String HOST = "npt-fh-" + TAG;
    private static final String OUTSIDE = "npt-fo-" + TAG;
    private static final String SANDBOX_NETNS = "npt-fs-" + TAG;
    private static final String TABLE = "npt_fd";
    private static final int O1 = IpCommand.random(1, 250);
    private static final String UPLINK_HOST = "10.211." + O1 + ".1";
    private static final String UPLINK_OUTSIDE = "10.211." + O1 + ".2";
    private static final String SUBNET = "10.212." + O1 + ".0/24";
    private static final int PUBLISHED = 18280;
    private static final List<String> NAMESPACES = new ArrayList<>(List.of(HOST, OUTSIDE, SANDBOX_NETNS));

    private static KernelThread kernelThread;
    private static Rtnetlink kernel;
    private static Nftables nft;
    private static NftablesFirewall firewall;
    private static NetworkDataplane networks;
    private static Network network;
    private static Path stateDir;

    @BeforeAll
    static void buildTheHost() throws Exception {
        TestRequirements.requireRoot();
        TestRequirements.require(Files.exists(Path.of("/usr/bin/curl")), "curl is needed to send test packets");
        TestRequirements.require(Files.exists(Path.of("/usr/sbin/iptables-nft")), "iptables-nft is needed to build Docker's chains");
        Netns.check("ip", "netns", "add", HOST);
        Netns.check("ip", "netns", "add", OUTSIDE);
        Netns.check("ip", "-n", HOST, "link", "add", "uplink", "type", "veth", "peer", "name", "eth0", "netns", OUTSIDE);
        Netns.check("ip", "-n", HOST, "addr", "add", UPLINK_HOST + "/24", "dev", "uplink");
        Netns.check("ip", "-n", HOST, "link", "set", "uplink", "up");
        Netns.check("ip", "-n", HOST, "link", "set", "lo", "up");
        Netns.check("ip", "-n", OUTSIDE, "addr", "add", UPLINK_OUTSIDE + "/24", "dev", "eth0");
        Netns.check("ip", "-n", OUTSIDE, "link", "set", "eth0", "up");
        Netns.check("ip", "-n", OUTSIDE, "link", "set", "lo", "up");
        Netns.httpServer(OUTSIDE, 8000, "outside");
        // Docker's FORWARD path (its other chains do not matter here)
        iptables("-P", "FORWARD", "DROP");
        iptables("-N", "DOCKER-USER");
        iptables("-A", "DOCKER-USER", "-j", "RETURN");
        iptables("-A", "FORWARD", "-j", "DOCKER-USER");
        iptables("-A", "FORWARD", "-s", "192.0.2.0/24", "-j", "ACCEPT"); // somebody else's rule: must stay

        stateDir = Files.createTempDirectory("netplane-agent-state");
        kernelThread = new KernelThread();
        kernelThread.run(() -> {
            NetNamespaces.enter(new NetNamespace(HOST));
            kernel = Rtnetlink.open();
            nft = Nftables.open();
            firewall = new NftablesFirewall(nft, TABLE);
            firewall.start();
            networks = new NetworkDataplane(kernel, NODE, "npt0", firewall);
        });
        String id = IpCommand.hex(32);
        network = Networks.bridge(id, "nptF" + TAG, SUBNET, gateway());
        kernelThread.call(() -> networks.setup(network));
        Sandbox sandbox = new Sandbox(IpCommand.hex(32), "s1", NODE, "bridge", SANDBOX_NETNS, "s1", null, List.of(), Instant.now());
        SandboxDataplane sandboxes = new SandboxDataplane(new NamespaceRecords(stateDir, NODE));
        kernelThread.call(() -> sandboxes.create(sandbox));
        Endpoint endpoint = new Endpoint(IpCommand.hex(32), sandbox.id(), id, NODE, "eth0",
                List.of(new EndpointAddress(Family.ipv4, SUBNET.replace(".0/24", ".2"), 24, gateway())),
                String.format("02:42:0a:d4:%02x:02", O1), List.of(new PortBinding("tcp", "0.0.0.0", PUBLISHED, 80)),
                List.of(), Instant.now());
        EndpointAttacher attacher = new EndpointAttacher(kernel, NODE, firewall, new PortReservations());
        kernelThread.call(() -> attacher.attach(endpoint, sandbox.name(), sandbox.netns(), network, network.bridge()));
        Netns.httpServer(SANDBOX_NETNS, 80, "s1");
    }

    @AfterAll
    static void tearDown() throws Exception {
        Netns.stopServers();
        try {
            if (kernelThread != null) {
                kernelThread.run(() -> {
                    if (nft != null) {
                        nft.close();
                    }
                    if (kernel != null) {
                        kernel.close();
                    }
                });
                kernelThread.close();
            }
        } finally {
            for (String netns : NAMESPACES) {
                IpCommand.run("netns", "del", netns);
            }
            if (stateDir != null) {
                try (var files = Files.list(stateDir)) {
                    files.forEach(f -> f.toFile().delete());
                }
                Files.deleteIfExists(stateDir);
            }
        }
    }

    private static String gateway() {
        return SUBNET.replace(".0/24", ".1");
    }

    private static void iptables(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", HOST, "iptables-nft", "-w"));
        command.addAll(List.of(args));
        Netns.check(command.toArray(String[]::new));
    }

    private static String rules() {
        return Netns.run("ip", "netns", "exec", HOST, "iptables-nft", "-w", "-S").out();
    }

    private static String toOutside() {
        return Netns.get(SANDBOX_NETNS, UPLINK_OUTSIDE + ":8000");
    }

    private static String publishedFromOutside() {
        return Netns.get(OUTSIDE, UPLINK_HOST + ":" + PUBLISHED);
    }

    /** Deletes netplane's accepts by hand (by their comment), as if netplane did not help. */
    private static void deleteAccepts(String chain) {
        for (String rule : rules().split("\n")) {
            if (rule.startsWith("-A " + chain + " ") && rule.contains("netplane:" + TABLE + ":")) {
                List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", HOST, "iptables-nft", "-w", "-D"));
                command.addAll(List.of(rule.substring(3).replace("\"", "").split(" ")));
                Netns.check(command.toArray(String[]::new));
            }
        }
    }

    @Test
    void netplanesAcceptsLetItsTrafficThroughADockerHostsDropPolicyAndTouchNothingElse() {
        String bridge = network.bridge();
        String accepts = "-A DOCKER-USER -i " + bridge + " -m comment --comment \"netplane:" + TABLE + ":" + bridge + "\" -j ACCEPT";
        assertTrue(rules().contains(accepts), rules());
        assertTrue(rules().contains("-A DOCKER-USER -o " + bridge), rules());
        assertEquals("outside " + UPLINK_HOST, toOutside());
        assertTrue(publishedFromOutside().startsWith("s1 "));

        deleteAccepts("DOCKER-USER");
        assertFalse(rules().contains("netplane:"), rules());
        assertNull(toOutside(), "the drop policy let the sandbox out without netplane's accepts");
        assertNull(publishedFromOutside(), "the drop policy let the published port answer without netplane's accepts");

        kernelThread.run(firewall::converge); // puts them back
        assertEquals("outside " + UPLINK_HOST, toOutside());
        assertTrue(publishedFromOutside().startsWith("s1 "));
        kernelThread.run(firewall::converge); // idempotent: still one pair
        assertEquals(2, rules().lines().filter(l -> l.contains("netplane:" + TABLE)).count(), rules());

        // the periodic check alone puts them back (Docker restarted or upgraded after the agent), and only once
        deleteAccepts("DOCKER-USER");
        assertNull(toOutside());
        kernelThread.run(firewall::convergeForwardAccepts);
        assertEquals("outside " + UPLINK_HOST, toOutside());
        String before = rules();
        kernelThread.run(firewall::convergeForwardAccepts);
        assertEquals(before, rules(), "nothing changes when the accepts are in place");

        // no DOCKER-USER (iptables without Docker): the accepts go to FORWARD, whose policy drops
        iptables("-D", "FORWARD", "-j", "DOCKER-USER");
        iptables("-F", "DOCKER-USER");
        iptables("-X", "DOCKER-USER");
        assertNull(toOutside());
        kernelThread.run(firewall::converge);
        assertTrue(rules().contains("-A FORWARD -i " + bridge), rules());
        assertEquals("outside " + UPLINK_HOST, toOutside());
        assertTrue(publishedFromOutside().startsWith("s1 "));

        // the network leaves: its accepts go, everything else in ip filter stays as it was
        kernelThread.run(() -> firewall.removeNetwork(network.id()));
        String left = rules();
        assertFalse(left.contains("netplane:"), left);
        assertTrue(left.contains("-P FORWARD DROP"), left);
        assertTrue(left.contains("-A FORWARD -s 192.0.2.0/24 -j ACCEPT"), left);
    }

    @Test
    void aForwardPolicyOfAcceptGetsNoRules() {
        ForwardAccepts.Chains chains = ForwardAccepts.parse("t", null, """
                {"nftables": [{"chain": {"family": "ip", "table": "filter", "name": "FORWARD", "handle": 1,
                 "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}}]}""");
        assertNull(chains.target());
        assertEquals("", ForwardAccepts.change("t", chains, List.of("np-a")));
    }
}
