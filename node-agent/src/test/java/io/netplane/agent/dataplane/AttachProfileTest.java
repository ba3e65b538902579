package io.netplane.agent.dataplane;

import io.netplane.agent.IpCommand;
import io.netplane.agent.TestRequirements;
import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.kernel.Nftables;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.kernel.Veth;
import io.netplane.agent.reconcile.KernelThread;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Sandbox;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where an attach's time goes as the bridge fills (printed, not asserted; the check is that every probe was
 * built and removed): each message of {@link EndpointAttacher#attach} timed on its own, at each level of
 * endpoints (each in its own netns with one published port) on one bridge. Levels: property
 * {@code netplane.profile.levels} (default 10,100; the 10,1000 by hand).
 */
class AttachProfileTest {
    private static final String[] STEPS = {"bridge get", "port reserve", "netns fd open", "createVeth (whole)",
            "get (port, again)", "alias (port, again)", "hairpin", "netns socket open", "peer get", "peer no IPv6 ll", "address add", "peer up",
            "nft element add", "default route", "netns socket close", "whole (steps)", "whole (attach)"};

    @Test
    void profile() throws Exception {
        TestRequirements.requireRoot();
        List<Integer> levels = Arrays.stream(System.getProperty("netplane.profile.levels", "10,100").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        int probes = Integer.getInteger("netplane.profile.probes", 20);
        String tag = IpCommand.hex(3);
        String host = "npt-ah-" + tag;
        Path stateDir = Files.createTempDirectory("netplane-attach-profile");
        KernelThread thread = new KernelThread();
        IpCommand.run("netns", "add", host);
        List<String> made = new ArrayList<>();
        try {
            Object[] k = new Object[3];
            thread.run(() -> {
                NetNamespaces.enter(new NetNamespace(host));
                Rtnetlink kernel = Rtnetlink.open();
                Nftables nft = Nftables.open();
                NftablesFirewall firewall = new NftablesFirewall(nft, "npt_aprof");
                firewall.start();
                k[0] = kernel;
                k[1] = firewall;
                k[2] = nft;
            });
            Rtnetlink kernel = (Rtnetlink) k[0];
            NftablesFirewall firewall = (NftablesFirewall) k[1];
            Network network = Networks.bridge(IpCommand.hex(32), "nptA" + tag, "10.214.0.0/16", "10.214.0.1");
            NetworkDataplane networks = new NetworkDataplane(kernel, "aprof", "npt0", firewall);
            thread.call(() -> networks.setup(network));
            SandboxDataplane sandboxes = new SandboxDataplane(new NamespaceRecords(stateDir, "aprof"));
            PortReservations reservations = new PortReservations();
            EndpointAttacher attacher = new EndpointAttacher(kernel, "aprof", firewall, reservations);
            String probeNetns = "npt-ap-" + tag;
            Sandbox probeSandbox = sandbox(probeNetns);
            thread.call(() -> sandboxes.create(probeSandbox));
            made.add(probeNetns);

            Map<Integer, double[]> table = new LinkedHashMap<>();
            int fillers = 0;
            for (int level : levels) {
                while (fillers < level) {
                    String netns = "npt-af" + fillers + "-" + tag;
                    Sandbox sandbox = sandbox(netns);
                    thread.call(() -> sandboxes.create(sandbox));
                    made.add(netns);
                    Endpoint filler = endpoint(sandbox, 1000 + fillers, 40000 + fillers);
                    thread.call(() -> attacher.attach(filler, netns, netns, network, network.bridge()));
                    fillers++;
                }
                long[][] samples = new long[STEPS.length][probes];
                for (int i = 0; i < probes + 3; i++) {
                    Endpoint probe = endpoint(probeSandbox, 999, 39999);
                    long[] steps = thread.call(() -> steps(kernel, firewall, reservations, probe, probeNetns, network));
                    thread.run(() -> attacher.detach(probe.id()));
                    Endpoint whole = endpoint(probeSandbox, 999, 39999);
                    long t0 = System.nanoTime();
                    thread.call(() -> attacher.attach(whole, probeNetns, probeNetns, network, network.bridge()));
                    long attach = System.nanoTime() - t0;
                    thread.run(() -> attacher.detach(whole.id()));
                    if (i >= 3) { // warm-up
                        for (int s = 0; s < steps.length; s++) {
                            samples[s][i - 3] = steps[s];
                        }
                        samples[STEPS.length - 1][i - 3] = attach;
                    }
                }
                double[] medians = new double[STEPS.length];
                for (int s = 0; s < STEPS.length; s++) {
                    medians[s] = median(samples[s]);
                }
                table.put(level, medians);
                int ports = thread.call(() -> (int) kernel.links().list().stream()
                        .filter(l -> l.master() > 0).count());
                assertEquals(level, ports, "filler ports on the bridge at level " + level);
            }
            StringBuilder out = new StringBuilder(String.format("PROFILE attach steps, median ms of %d probes%n%-20s", probes, "step"));
            table.keySet().forEach(level -> out.append(String.format("%10s", level + " eps")));
            out.append('\n');
            for (int s = 0; s < STEPS.length; s++) {
                out.append(String.format("%-20s", STEPS[s]));
                for (double[] medians : table.values()) {
                    out.append(String.format("%10.3f", medians[s]));
                }
                out.append('\n');
            }
            System.out.print(out);
            thread.run(() -> ((Nftables) k[2]).close());
        } finally {
            thread.close();
            for (String netns : made) {
                NetNamespaces.delete(netns);
            }
            IpCommand.run("netns", "del", host);
            try (var files = Files.list(stateDir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(stateDir);
        }
    }

    /** {@link EndpointAttacher#attach}'s messages one by one (same order, same calls); nanoseconds per step. */
    private static long[] steps(Rtnetlink kernel, NftablesFirewall firewall, PortReservations reservations,
                                Endpoint endpoint, String netns, Network network) {
        long[] t = new long[STEPS.length];
        String id = endpoint.id();
        String host = EndpointAttacher.hostIfname(id);
        long start = System.nanoTime();
        long a = start;
        Link bridge = kernel.links().get(network.bridge()).orElseThrow();
        long b = System.nanoTime();
        t[0] = b - a;
        List<PortMapping> mappings = PortMapping.of(id, endpoint.ports(), endpoint.addresses());
        reservations.reserve(id, netns, mappings);
        a = System.nanoTime();
        t[1] = a - b;
        NetNamespace namespace = NetNamespace.of(netns);
        long opened = a;
        long[] created = new long[2];
        NetNamespaces.withDescriptor(namespace, fd -> {
            created[0] = System.nanoTime();
            kernel.links().createVeth(new Veth(host, bridge.index(), 0, endpoint.ifname(), -1, endpoint.mac())
                    .withPeerNamespaceFd(fd), OwnershipMark.endpoint("aprof", id).alias());
            created[1] = System.nanoTime();
            return null;
        });
        t[2] = created[0] - opened;
        long createWhole = created[1] - created[0];
        // what a get and an alias cost on a bridge port (not part of the attach: only to show the bridge's share)
        long c = System.nanoTime();
        Link hostEnd = kernel.links().get(host).orElseThrow();
        long d = System.nanoTime();
        kernel.links().setAlias(hostEnd.index(), host, OwnershipMark.endpoint("aprof", id).alias());
        long e = System.nanoTime();
        t[4] = d - c;
        t[5] = e - d;
        t[3] = createWhole; // RTM_NEWLINK, a get by name, the alias, the enslave
        a = System.nanoTime();
        kernel.links().setHairpin(hostEnd.index(), host);
        b = System.nanoTime();
        t[6] = b - a;
        Rtnetlink inside = Rtnetlink.in(namespace);
        a = System.nanoTime();
        t[7] = a - b;
        Link peer = inside.links().get(endpoint.ifname()).orElseThrow();
        b = System.nanoTime();
        t[8] = b - a;
        inside.links().setNoIpv6LinkLocal(peer.index(), endpoint.ifname());
        a = System.nanoTime();
        t[9] = a - b;
        inside.addresses().add(peer.index(), endpoint.ifname(),
                new Cidr(Cidr.literal(endpoint.addresses().get(0).address()), 16));
        b = System.nanoTime();
        t[10] = b - a;
        inside.links().setUp(peer.index(), endpoint.ifname());
        a = System.nanoTime();
        t[11] = a - b;
        firewall.addPorts(id, mappings);
        b = System.nanoTime();
        t[12] = b - a;
        inside.routes().addDefault(Cidr.literal("10.214.0.1"), peer.index(), endpoint.ifname());
        a = System.nanoTime();
        t[13] = a - b;
        inside.close();
        b = System.nanoTime();
        t[14] = b - a;
        t[15] = b - start - t[4] - t[5]; // the attach does the get and alias once
        return t;
    }

    private static Sandbox sandbox(String netns) {
        return new Sandbox(IpCommand.hex(32), netns, "aprof", "bridge", netns, netns, null, List.of(), Instant.now());
    }

    private static Endpoint endpoint(Sandbox sandbox, int slot, int hostPort) {
        String address = "10.214." + (slot >> 8) + "." + (slot & 0xff);
        return new Endpoint(IpCommand.hex(32), sandbox.id(), "n", "aprof", "eth0",
                List.of(new EndpointAddress(Family.ipv4, address, 16, "10.214.0.1")),
                String.format("02:42:0a:d6:%02x:%02x", slot >> 8 & 0xff, slot & 0xff),
                List.of(new PortBinding("tcp", "0.0.0.0", hostPort, 80)), List.of(), Instant.now());
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }
}
