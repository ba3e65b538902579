package io.netplane.agent.dataplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * As root, with real packets: the data plane runs on a kernel thread inside a throwaway "host" namespace (so
 * its firewall table, ip_forward and route_localnet never touch the machine's), with an "outside" namespace
 * behind the host's uplink. Networks A and B and internal network I; sandboxes a1, a2 on A, b1 on B, i1 on I;
 * a1 runs an HTTP server and publishes it.
 */
class BridgeDataplanePacketTest {
    private static final String NODE = "npt-dp-" + IpCommand.hex(3);
    private static final String TAG = IpCommand.hex(3);
    private static final String HOST = "npt-h-" + TAG;
    private static final String OUTSIDE = "npt-o-" + TAG;
    private static final int O1 = IpCommand.random(1, 250);
    private static final String UPLINK_HOST = "10.209." + O1 + ".1";
    private static final String UPLINK_OUTSIDE = "10.209." + O1 + ".2";
    private static final int PUBLISHED = 18080;
    private static final int LOCAL_ONLY = 18081;

    private static final List<String> NAMESPACES = new ArrayList<>(List.of(HOST, OUTSIDE));
    private static KernelThread kernelThread;
    private static Rtnetlink kernel;
    private static Nftables nft;
    private static NetworkDataplane networks;
    private static SandboxDataplane sandboxes;
    private static EndpointAttacher attacher;
    private static Path stateDir;

    private static Network netA;
    private static Network netB;
    private static Network netI;
    private static Sandbox a1;
    private static Sandbox a2;
    private static Sandbox b1;
    private static Sandbox i1;
    private static EndpointState a1Eth0;

    @BeforeAll
    static void buildTheHost() throws Exception {
        TestRequirements.requireRoot();
        TestRequirements.require(Files.exists(Path.of("/usr/bin/curl")), "curl is needed to send test packets");
        Netns.check("ip", "netns", "add", HOST);
        Netns.check("ip", "netns", "add", OUTSIDE);
        Netns.check("ip", "-n", HOST, "link", "add", "uplink", "type", "veth", "peer", "name", "eth0", "netns", OUTSIDE);
        Netns.check("ip", "-n", HOST, "addr", "add", UPLINK_HOST + "/24", "dev", "uplink");
        Netns.check("ip", "-n", HOST, "link", "set", "uplink", "up");
        Netns.check("ip", "-n", HOST, "link", "set", "lo", "up");
        Netns.check("ip", "-n", OUTSIDE, "addr", "add", UPLINK_OUTSIDE + "/24", "dev", "eth0");
        Netns.check("ip", "-n", OUTSIDE, "link", "set", "eth0", "up");
        Netns.check("ip", "-n", OUTSIDE, "link", "set", "lo", "up");
        // the outside knows no route to the sandboxes' subnets: only masquerade gets answers back
        Netns.httpServer(OUTSIDE, 8000, "outside");

        stateDir = Files.createTempDirectory("netplane-agent-state");
        kernelThread = new KernelThread();
        kernelThread.run(() -> {
            NetNamespaces.enter(new NetNamespace(HOST));
            kernel = Rtnetlink.open();
            nft = Nftables.open();
            NftablesFirewall firewall = new NftablesFirewall(nft, "netplane");
            firewall.start();
            networks = new NetworkDataplane(kernel, NODE, "npt0", firewall);
            sandboxes = new SandboxDataplane(new NamespaceRecords(stateDir, NODE));
            attacher = new EndpointAttacher(kernel, NODE, firewall, new PortReservations());
        });

        netA = network("A", 1, false);
        netB = network("B", 2, false);
        netI = network("I", 3, true);
        for (Network network : List.of(netA, netB, netI)) {
            kernelThread.call(() -> networks.setup(network));
        }
        a1 = sandbox("a1");
        a2 = sandbox("a2");
        b1 = sandbox("b1");
        i1 = sandbox("i1");
        a1Eth0 = attach(a1, netA, 2, List.of(new PortBinding("tcp", "0.0.0.0", PUBLISHED, 80),
                new PortBinding("tcp", "127.0.0.1", LOCAL_ONLY, 80)));
        attach(a2, netA, 3, List.of());
        attach(b1, netB, 2, List.of());
        attach(i1, netI, 2, List.of());
        Netns.httpServer(a1.netns(), 80, "a1");
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

    private static Network network(String name, int third, boolean internal) {
        String id = IpCommand.hex(32);
        String subnet = "10.208." + (O1 % 60 * 4 + third) + ".0/24";
        Network plain = Networks.bridge(id, "npt" + name + TAG, subnet, gateway(subnet));
        return new Network(id, plain.name(), "bridge", "local", plain.subnets(), internal, false, false,
                Map.of("com.docker.network.driver.mtu", "1450"), Map.of(), null, plain.bridge(), false, plain.created());
    }

    private static String gateway(String subnet) {
        return subnet.replace(".0/24", ".1");
    }

    private static String address(Network network, int host) {
        return network.subnets().get(0).subnet().replace(".0/24", "." + host);
    }

    private static Sandbox sandbox(String name) {
        String id = IpCommand.hex(32);
        String netns = "npt-" + TAG + "-" + name;
        NAMESPACES.add(netns);
        Sandbox sandbox = new Sandbox(id, name, NODE, "bridge", netns, name, null, List.of(), Instant.now());
        kernelThread.call(() -> sandboxes.create(sandbox));
        return sandbox;
    }

    private static EndpointState attach(Sandbox sandbox, Network network, int host, List<PortBinding> ports) {
        Endpoint endpoint = endpoint(sandbox, network, "eth0", host, ports);
        return kernelThread.call(() -> attacher.attach(endpoint, sandbox.name(), sandbox.netns(), network,
                network.bridge()));
    }

    private static Endpoint endpoint(Sandbox sandbox, Network network, String ifname, int host, List<PortBinding> ports) {
        return new Endpoint(IpCommand.hex(32), sandbox.id(), network.id(), NODE, ifname,
                List.of(new EndpointAddress(Family.ipv4, address(network, host), 24, gateway(network.subnets().get(0).subnet()))),
                String.format("02:42:0a:d0:%02x:%02x", O1 % 256, host), ports, List.of(), Instant.now());
    }

    @Test
    void sandboxesOnOneNetworkReachEachOther() {
        assertEquals("a1 " + address(netA, 3), Netns.get(a2.netns(), address(netA, 2)));
    }

    @Test
    void sandboxesOnDifferentNetworksDoNot() {
        assertNull(Netns.get(b1.netns(), address(netA, 2)), "B reached A directly");
    }

    @Test
    void publishedPortAnswersFromLoopbackHostAddressOtherSandboxAndOutside() {
        // from the host itself: 127.0.0.1 (route_localnet + masquerade) and its own address (output DNAT)
        assertTrue(Netns.get(HOST, "127.0.0.1:" + PUBLISHED).startsWith("a1 "));
        assertTrue(Netns.get(HOST, "127.0.0.1:" + LOCAL_ONLY).startsWith("a1 "));
        assertTrue(Netns.get(HOST, UPLINK_HOST + ":" + PUBLISHED).startsWith("a1 "));
        assertNull(Netns.get(HOST, UPLINK_HOST + ":" + LOCAL_ONLY), "published on 127.0.0.1 only");
        // from a sandbox of another network, through its own gateway (a host address)
        assertTrue(Netns.get(b1.netns(), gateway(netB.subnets().get(0).subnet()) + ":" + PUBLISHED).startsWith("a1 "));
        // hairpin: a1 reaches its own published port
        assertTrue(Netns.get(a1.netns(), gateway(netA.subnets().get(0).subnet()) + ":" + PUBLISHED).startsWith("a1 "));
        // from outside, through the uplink; the server sees the real client
        assertEquals("a1 " + UPLINK_OUTSIDE, Netns.get(OUTSIDE, UPLINK_HOST + ":" + PUBLISHED));
    }

    @Test
    void aNormalNetworkReachesOutsideThroughMasqueradeAnInternalOneDoesNot() {
        assertEquals("outside " + UPLINK_HOST, Netns.get(a2.netns(), UPLINK_OUTSIDE + ":8000"));
        assertNull(Netns.get(i1.netns(), UPLINK_OUTSIDE + ":8000"), "the internal network got out");
    }

    @Test
    void ifindexAndIflinkArePaired() throws Exception {
        JsonNode host = new ObjectMapper().readTree(Netns.run("ip", "-n", HOST, "-j", "-d", "link", "show",
                a1Eth0.hostIfname()).out()).get(0);
        JsonNode peer = new ObjectMapper().readTree(Netns.run("ip", "-n", a1.netns(), "-j", "-d", "link", "show",
                "eth0").out()).get(0);
        assertEquals(host.path("ifindex").asInt(), a1Eth0.hostIfindex());
        assertEquals(peer.path("ifindex").asInt(), a1Eth0.ifindex());
        assertEquals(a1Eth0.ifindex(), a1Eth0.hostIflink());
        assertEquals(a1Eth0.hostIfindex(), a1Eth0.iflink());
        assertEquals(a1Eth0.hostIfindex(), peer.path("link_index").asInt());
        assertEquals("netplane:" + NODE + ":endpoint:" + a1Eth0.endpointId(), host.path("ifalias").asText());
        assertEquals("npt" + "A" + TAG, host.path("master").asText());
        assertEquals(1450, peer.path("mtu").asInt());
        assertTrue(host.path("linkinfo").path("info_slave_data").path("hairpin").asBoolean(), host.toString());
        assertEquals(address(netA, 2) + "/24", a1Eth0.address());
        assertEquals(peer.path("address").asText(), a1Eth0.mac());
        String routes = Netns.run("ip", "-n", a1.netns(), "route").out();
        assertTrue(routes.contains("default via " + gateway(netA.subnets().get(0).subnet()) + " dev eth0"), routes);
        assertTrue(Netns.run("ip", "-n", a1.netns(), "link", "show", "lo").out().contains("UP"));
        // a network without IPv6: the sandbox end makes no link-local (no DAD/MLD/RS flooded to every port)
        assertEquals("none", peer.path("inet6_addr_gen_mode").asText(), peer.toString());
        assertEquals("", Netns.run("ip", "-n", a1.netns(), "-6", "addr", "show", "dev", "eth0").out().strip());
        assertTrue(Files.exists(stateDir.resolve(a1.netns())), "the netns is recorded as this node's");
    }

    @Test
    void aPortInUseIsRefusedWithDockersMessageAndLeavesNothing() {
        Sandbox sandbox = sandbox("dup");
        Endpoint endpoint = endpoint(sandbox, netA, "eth0", 9, List.of(new PortBinding("tcp", "0.0.0.0", PUBLISHED, 80)));
        DataplaneException refused = assertThrows(DataplaneException.class, () -> kernelThread.call(() ->
                attacher.attach(endpoint, "dup", sandbox.netns(), netA, netA.bridge())));
        assertTrue(refused.getMessage().endsWith("driver failed programming external connectivity on endpoint dup ("
                + endpoint.id() + "): Bind for 0.0.0.0:" + PUBLISHED + " failed: port is already allocated"),
                refused.getMessage());
        assertFalse(Netns.run("ip", "-n", HOST, "link", "show", EndpointAttacher.hostIfname(endpoint.id())).exit() == 0);
        assertFalse(Netns.run("ip", "-n", sandbox.netns(), "link", "show", "eth0").exit() == 0);
    }

    @Test
    void aPortOnlyAConnectionUsesIsPublishedAndHeldOnceTheConnectionGoes() throws Exception {
        PortMapping mapping = new PortMapping("tcp", null, 18097, "10.0.0.1", 80);
        // in the node's namespace, a connection whose source port is the one ipam chose (a client that got it
        // from ip_local_port_range); nobody serves the port
        List<NetworkChannel> connection = kernelThread.call(() -> {
            ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel client = SocketChannel.open();
            client.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            client.bind(new InetSocketAddress("127.0.0.1", mapping.hostPort()));
            client.connect(server.getLocalAddress());
            return List.of(server.accept(), client, server); // closed in this order: TIME_WAIT stays on the server side
        });
        Sandbox sandbox = sandbox("conn");
        EndpointState attached;
        try {
            attached = attach(sandbox, netA, 11, List.of(new PortBinding("tcp", "0.0.0.0", mapping.hostPort(), 80)));
            assertTrue(Netns.run("ip", "netns", "exec", HOST, "nft", "list", "map", "inet", "netplane", "ports").out()
                    .contains(String.valueOf(mapping.hostPort())), "published while the connection holds the port");
            kernelThread.run(attacher::retryPortReservations);
            assertFalse(kernelThread.call(() -> PortReservations.served(mapping)), "no socket while the connection is there");
        } finally {
            for (NetworkChannel channel : connection) {
                channel.close();
            }
        }
        for (int i = 0; i < 50 && !kernelThread.call(() -> PortReservations.served(mapping)); i++) {
            kernelThread.run(attacher::retryPortReservations); // the agent's periodic converge does this
            Thread.sleep(100);
        }
        assertTrue(kernelThread.call(() -> PortReservations.served(mapping)), "the port's socket is bound once it is gone");
        kernelThread.run(() -> attacher.detach(attached.endpointId()));
        assertFalse(kernelThread.call(() -> PortReservations.served(mapping)), "released with its endpoint");
    }

    @Test
    void aFailedAttachLeavesNothing() {
        Sandbox sandbox = sandbox("fail");
        // the gateway is not on the endpoint's subnet: the route step fails after the veth and address exist
        Endpoint endpoint = new Endpoint(IpCommand.hex(32), sandbox.id(), netA.id(), NODE, "eth0",
                List.of(new EndpointAddress(Family.ipv4, address(netA, 10), 24, "10.207.1.1")), null,
                List.of(new PortBinding("udp", "0.0.0.0", 18099, 53)), List.of(), Instant.now());
        DataplaneException failed = assertThrows(DataplaneException.class, () -> kernelThread.call(() ->
                attacher.attach(endpoint, "fail", sandbox.netns(), netA, netA.bridge())));
        assertTrue(failed.getMessage().startsWith("attach endpoint " + endpoint.id() + ": replace default route via 10.207.1.1 dev eth0:"),
                failed.getMessage());
        assertFalse(Netns.run("ip", "-n", HOST, "link", "show", EndpointAttacher.hostIfname(endpoint.id())).exit() == 0);
        assertFalse(Netns.run("ip", "-n", sandbox.netns(), "link", "show", "eth0").exit() == 0);
        assertFalse(Netns.run("ip", "netns", "exec", HOST, "nft", "list", "map", "inet", "netplane", "ports").out().contains("18099"));
    }

    @Test
    void detachLeavesNothingBehindAndIsIdempotent() {
        Sandbox sandbox = sandbox("det");
        List<PortBinding> ports = List.of(new PortBinding("tcp", "0.0.0.0", 18090, 80), new PortBinding("udp", "0.0.0.0", 18090, 53));
        long[] attach = new long[20];
        long[] detach = new long[20];
        for (int round = 0; round < attach.length; round++) {
            Endpoint endpoint = endpoint(sandbox, netA, "eth0", 20, ports);
            long start = System.nanoTime();
            EndpointState state = kernelThread.call(() -> attacher.attach(endpoint, "det", sandbox.netns(), netA, netA.bridge()));
            attach[round] = System.nanoTime() - start;
            assertTrue(Netns.run("ip", "netns", "exec", HOST, "nft", "list", "map", "inet", "netplane", "ports").out()
                    .contains("18090"));
            start = System.nanoTime();
            kernelThread.run(() -> attacher.detach(endpoint.id()));
            detach[round] = System.nanoTime() - start;
            assertFalse(Netns.run("ip", "-n", HOST, "link", "show", state.hostIfname()).exit() == 0, "host end left");
            assertEquals("", Netns.run("ip", "-n", sandbox.netns(), "-o", "addr", "show", "scope", "global").out(), "address left");
            assertFalse(Netns.run("ip", "-n", sandbox.netns(), "route").out().contains("default"), "route left");
            assertFalse(Netns.run("ip", "netns", "exec", HOST, "nft", "list", "table", "inet", "netplane").out()
                    .contains("18090"), "map element left");
            kernelThread.run(() -> attacher.detach(endpoint.id())); // again: nothing to do is success
        }
        // the held port is free again
        kernelThread.run(() -> new PortReservations().reserve("probe", "probe",
                List.of(new PortMapping("tcp", null, 18090, "10.0.0.1", 80))));
        System.out.printf("attach (veth + address + route + 2 published ports) median %.2f ms, detach median %.2f ms%n",
                median(attach), median(detach));

        kernelThread.run(() -> sandboxes.remove(sandbox.id(), sandbox.netns()));
        assertFalse(Files.exists(Path.of("/run/netns", sandbox.netns())), "namespace left");
        assertFalse(Files.exists(stateDir.resolve(sandbox.netns())), "record left");
        kernelThread.run(() -> sandboxes.remove(sandbox.id(), sandbox.netns()));
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }
}
