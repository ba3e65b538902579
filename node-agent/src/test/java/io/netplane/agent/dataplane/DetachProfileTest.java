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
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a detach's time goes (printed, not asserted; the checks are of what a detach must leave): the nft element delete, the veth delete, the whole. */
class DetachProfileTest {
    @Test
    void profile() throws Exception {
        TestRequirements.requireRoot();
        String tag = IpCommand.hex(3);
        String host = "npt-ph-" + tag;
        String sbx = "npt-ps-" + tag;
        Path stateDir = Files.createTempDirectory("netplane-profile");
        KernelThread thread = new KernelThread();
        Netns.check("ip", "netns", "add", host);
        try {
            Object[] k = new Object[3];
            thread.run(() -> {
                NetNamespaces.enter(new NetNamespace(host));
                Rtnetlink kernel = Rtnetlink.open();
                Nftables nft = Nftables.open();
                NftablesFirewall firewall = new NftablesFirewall(nft, "npt_prof");
                firewall.start();
                k[0] = kernel;
                k[1] = firewall;
                k[2] = nft;
            });
            Rtnetlink kernel = (Rtnetlink) k[0];
            NftablesFirewall firewall = (NftablesFirewall) k[1];
            Network network = Networks.bridge(IpCommand.hex(32), "nptP" + tag, "10.213.7.0/24", "10.213.7.1");
            NetworkDataplane networks = new NetworkDataplane(kernel, "prof", "npt0", firewall);
            thread.call(() -> networks.setup(network));
            SandboxDataplane sandboxes = new SandboxDataplane(new NamespaceRecords(stateDir, "prof"));
            Sandbox sandbox = new Sandbox(IpCommand.hex(32), "p", "prof", "bridge", sbx, "p", null, List.of(), Instant.now());
            thread.call(() -> sandboxes.create(sandbox));
            PortReservations reservations = new PortReservations();
            EndpointAttacher attacher = new EndpointAttacher(kernel, "prof", firewall, reservations);
            int rounds = 30;
            long[] attach = new long[rounds], nftDel = new long[rounds], linkDel = new long[rounds], whole = new long[rounds];
            long[] deferred = new long[rounds], down = new long[rounds], offBridgeDown = new long[rounds];
            long[] addressDelete = new long[rounds], socketOpen = new long[rounds];
            for (int i = 0; i < rounds * 4; i++) {
                Endpoint endpoint = new Endpoint(IpCommand.hex(32), sandbox.id(), network.id(), "prof", "eth0",
                        List.of(new EndpointAddress(Family.ipv4, "10.213.7.20", 24, "10.213.7.1")), "02:42:0a:d5:07:14",
                        List.of(new PortBinding("tcp", "0.0.0.0", 18390, 80)), List.of(), Instant.now());
                long t0 = System.nanoTime();
                thread.call(() -> attacher.attach(endpoint, "p", sbx, network, network.bridge()));
                long t1 = System.nanoTime();
                int r = i / 4;
                String hostEnd = EndpointAttacher.hostIfname(endpoint.id());
                if (i % 4 == 3) { // the messages the deferred detach sends before it returns, one by one
                    long[] steps = thread.call(() -> {
                        firewall.removePorts(endpoint.id());
                        long a = System.nanoTime();
                        kernel.links().setDownOffBridgeByName(hostEnd);
                        long b = System.nanoTime();
                        try (Rtnetlink inside = Rtnetlink.in(NetNamespace.of(sbx))) {
                            long open = System.nanoTime() - b;
                            int index = inside.links().get("eth0").orElseThrow().index(); // the attacher knows it
                            long c = System.nanoTime();
                            inside.addresses().delete(index, "eth0", io.netplane.agent.kernel.Cidr.parse("10.213.7.20/24"));
                            long d = System.nanoTime();
                            kernel.links().deleteByName(hostEnd);
                            reservations.release(endpoint.id());
                            return new long[] {b - a, d - c, open};
                        }
                    });
                    offBridgeDown[r] = steps[0];
                    addressDelete[r] = steps[1];
                    socketOpen[r] = steps[2];
                } else if (i % 4 == 2) { // as the reconciler does it: the veth delete queued next on the kernel thread
                    long t2 = System.nanoTime();
                    thread.run(() -> attacher.detach(endpoint.id(), thread::later));
                    deferred[r] = System.nanoTime() - t2;
                    // no traffic (the host end is down: no carrier on either end) and the port is free
                    String eth0 = Netns.run("ip", "-n", sbx, "link", "show", "eth0").out();
                    assertTrue(eth0.isEmpty() || eth0.contains("NO-CARRIER"), eth0); // or already deleted
                    // its address is free and the host end is off the bridge (or both already deleted)
                    String inet = Netns.run("ip", "-n", sbx, "-4", "addr", "show", "dev", "eth0").out();
                    assertTrue(!inet.contains("inet "), inet);
                    String port = Netns.run("ip", "link", "show", "master", network.bridge()).out();
                    assertTrue(!port.contains(hostEnd), port);
                    thread.run(() -> {
                        PortReservations probe = new PortReservations();
                        probe.reserve("probe", "probe", List.of(new PortMapping("tcp", null, 18390, "10.0.0.1", 80)));
                        probe.release("probe");
                    });
                } else if (i % 4 == 0) { // step by step
                    long[] steps = thread.call(() -> {
                        long a = System.nanoTime();
                        firewall.removePorts(endpoint.id());
                        long b = System.nanoTime();
                        kernel.links().setDownOffBridgeByName(hostEnd);
                        long c = System.nanoTime();
                        kernel.links().deleteByName(hostEnd);
                        long d = System.nanoTime();
                        reservations.release(endpoint.id());
                        return new long[] {b - a, d - c, c - b};
                    });
                    nftDel[r] = steps[0];
                    linkDel[r] = steps[1];
                    down[r] = steps[2];
                } else {
                    attach[r] = t1 - t0;
                    long t2 = System.nanoTime();
                    thread.run(() -> attacher.detach(endpoint.id()));
                    whole[r] = System.nanoTime() - t2;
                }
            }
            System.out.printf("PROFILE attach %.2f ms; detach with the veth delete %.2f ms (nft element delete %.2f ms"
                    + " + veth delete %.2f ms); detach with the veth delete queued after it %.2f ms%n",
                    median(attach), median(whole), median(nftDel), median(linkDel), median(deferred));
            System.out.printf("PROFILE deferred detach's release messages: nomaster+down before the veth delete %.3f ms; nomaster+down (one"
                    + " message) %.3f ms; opening a route socket in the sandbox's netns %.3f ms;"
                    + " RTM_DELADDR there %.3f ms%n", median(down), median(offBridgeDown), median(socketOpen),
                    median(addressDelete));
            thread.run(() -> ((Nftables) k[2]).close());
        } finally {
            thread.close();
            IpCommand.run("netns", "del", sbx);
            IpCommand.run("netns", "del", host);
            try (var files = Files.list(stateDir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(stateDir);
        }
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }
}
