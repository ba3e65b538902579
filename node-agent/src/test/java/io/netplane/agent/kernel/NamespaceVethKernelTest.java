package io.netplane.agent.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netplane.agent.IpCommand;
import io.netplane.agent.TestRequirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * As root: a named netns made in-process (seen by {@code ip netns}), a veth pair whose peer is born in it,
 * addressed, with a default route, checked with iproute2 from inside; then all of it deleted.
 */
class NamespaceVethKernelTest {
    private final String suffix = IpCommand.hex(4);
    private final String netns = "npt-ns-" + suffix;
    private final String bridge = "nptb" + suffix;
    private final String host = "nptv" + suffix;
    private final int octet = IpCommand.random(1, 250);
    private Rtnetlink kernel;

    @BeforeEach
    void open() {
        TestRequirements.requireRoot();
        kernel = Rtnetlink.open();
    }

    @AfterEach
    void cleanUp() {
        try {
            if (kernel != null) {
                kernel.links().deleteByName(host);
                kernel.links().deleteByName(bridge);
                kernel.close();
            }
            NetNamespaces.delete(netns);
        } finally {
            IpCommand.deleteQuietly(host);
            IpCommand.deleteQuietly(bridge);
            IpCommand.run("netns", "del", netns);
        }
    }

    @Test
    void namespaceIsCreatedListedByIpAndDeleted() {
        NetNamespace created = NetNamespaces.create(netns);
        assertTrue(IpCommand.run("netns", "list").out().lines().anyMatch(l -> l.split(" ")[0].equals(netns)));
        assertTrue(NetNamespaces.list().contains(netns));
        assertEquals(0, IpCommand.run("netns", "exec", netns, "true").exit());
        KernelException twice = assertThrows(KernelException.class, () -> NetNamespaces.create(netns));
        assertEquals(Errno.EEXIST, twice.errno());
        // a socket made inside sees only that namespace's links: lo
        try (Rtnetlink inside = Rtnetlink.in(created)) {
            assertEquals(1, inside.links().list().size());
            Link lo = inside.links().get("lo").orElseThrow();
            inside.links().setUp(lo.index(), "lo");
        }
        assertTrue(IpCommand.run("-n", netns, "link", "show", "lo").out().contains("UP"));
        // the thread came home: the host socket still sees the host
        assertTrue(kernel.links().list().size() >= 1);
        assertTrue(NetNamespaces.delete(netns));
        assertFalse(NetNamespaces.delete(netns), "deleting a gone namespace is idempotent");
        assertFalse(IpCommand.run("netns", "list").out().contains(netns));
    }

    /** The batched delete of detached veths: only the links put in the group go, in one request. */
    @Test
    void linksMovedIntoAGroupAreDeletedTogetherAndOnlyThey() {
        NetNamespace namespace = NetNamespaces.create(netns);
        int group = 0x6e70;
        for (String name : new String[] {"va", "vb", "vc", "keep"}) {
            IpCommand.check("-n", netns, "link", "add", name, "type", "veth", "peer", "name", name + "-p");
        }
        try (Rtnetlink inside = Rtnetlink.in(namespace)) {
            for (String name : new String[] {"va", "vb", "vc"}) {
                assertTrue(inside.links().setDownOffBridgeByName(name, group));
            }
            assertTrue(IpCommand.run("-n", netns, "-d", "link", "show", "va").out().contains("group " + group));
            assertTrue(inside.links().deleteGroup(group));
            for (String name : new String[] {"va", "vb", "vc", "va-p", "vb-p", "vc-p"}) {
                assertTrue(inside.links().get(name).isEmpty(), name + " deleted with its group");
            }
            assertTrue(inside.links().get("keep").isPresent(), "a link outside the group stays");
            assertTrue(inside.links().get("keep-p").isPresent());
            assertFalse(inside.links().deleteGroup(group), "an empty group: nothing to delete");
            assertFalse(inside.links().setDownOffBridgeByName("gone", group));
        }
    }

    @Test
    void vethPeerIsBornInsideWithNameMacMtuAddressAndRoute() throws Exception {
        NetNamespace namespace = NetNamespaces.create(netns);
        Link br = kernel.links().createBridge(bridge, "netplane:kernel-test:network:" + suffix);
        kernel.links().setUp(br.index(), bridge);
        String alias = "netplane:kernel-test:endpoint:" + suffix;
        long start = System.nanoTime();
        Link hostEnd = NetNamespaces.withDescriptor(namespace, fd -> kernel.links().createVeth(
                new Veth(host, br.index(), 1400, "eth0", fd, "02:42:0a:d3:00:02"), alias));
        Link peer;
        try (Rtnetlink inside = Rtnetlink.in(namespace)) {
            peer = inside.links().get("eth0").orElseThrow();
            inside.addresses().add(peer.index(), "eth0", Cidr.parse("10.211." + octet + ".2/24"));
            inside.links().setUp(peer.index(), "eth0");
            assertTrue(inside.routes().addDefault(Cidr.literal("10.211." + octet + ".1"), peer.index(), "eth0"));
            assertFalse(inside.routes().addDefault(Cidr.literal("10.211." + octet + ".1"), peer.index(), "eth0"));
        }
        System.out.printf("fused veth + address + up + route: %.2f ms%n", (System.nanoTime() - start) / 1e6);
        Link hostNow = kernel.links().get(host).orElseThrow();
        assertEquals(peer.index(), hostNow.link(), "the host end's iflink is the peer's ifindex");
        assertEquals(hostNow.index(), peer.link(), "the peer's iflink is the host end's ifindex");
        assertEquals(br.index(), hostNow.master());
        assertEquals(alias, hostNow.alias());
        assertEquals(alias, hostEnd.alias());
        assertTrue(hostNow.isUp());
        assertEquals(1400, hostNow.mtu());

        JsonNode shown = new ObjectMapper().readTree(IpCommand.run("-n", netns, "-j", "-d", "link", "show", "eth0").out()).get(0);
        assertEquals("02:42:0a:d3:00:02", shown.path("address").asText());
        assertEquals(1400, shown.path("mtu").asInt());
        assertEquals(hostNow.index(), shown.path("link_index").asInt());
        String routes = IpCommand.run("-n", netns, "route", "show").out();
        assertTrue(routes.contains("default via 10.211." + octet + ".1 dev eth0"), routes);
        assertTrue(IpCommand.run("-n", netns, "addr", "show", "eth0").out().contains("10.211." + octet + ".2/24"));

        KernelException duplicate = assertThrows(KernelException.class, () -> NetNamespaces.withDescriptor(namespace,
                fd -> kernel.links().createVeth(new Veth(host, 0, 0, "eth1", fd, null), alias)));
        assertTrue(duplicate.getMessage().startsWith("create veth " + host + ": File exists (EEXIST)"), duplicate.getMessage());

        assertTrue(kernel.links().deleteByName(host));
        assertTrue(IpCommand.run("-n", netns, "link", "show", "eth0").exit() != 0, "deleting the host end deletes the peer");
    }
}
