package io.netplane.agent.kernel;

import io.netplane.agent.IpCommand;
import io.netplane.agent.Netns;
import io.netplane.agent.TestRequirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * As root, in a throwaway namespace: a VXLAN device on a bridge, FDB and neighbour entries built through JNA
 * netlink, checked with iproute2 ({@code ip -d link}, {@code bridge fdb}, {@code ip neigh}), then deleted.
 */
class OverlayKernelTest {
    private static final String MAC = "02:42:0a:d5:00:05";
    private final String netns = "npt-ovk-" + IpCommand.hex(3);
    private NetNamespace namespace;
    private Rtnetlink kernel;

    @BeforeEach
    void open() {
        TestRequirements.requireRoot();
        IpCommand.check("netns", "add", netns);
        namespace = new NetNamespace(netns);
        Netns.check("ip", "-n", netns, "link", "add", "under0", "type", "veth", "peer", "name", "under1");
        Netns.check("ip", "-n", netns, "addr", "add", "198.18.0.11/24", "dev", "under0");
        Netns.check("ip", "-n", netns, "link", "set", "under0", "up");
        kernel = Rtnetlink.in(namespace);
    }

    @AfterEach
    void cleanUp() {
        if (kernel != null) {
            kernel.close();
        }
        IpCommand.run("netns", "del", netns);
    }

    private static Inet4Address ipv4(String literal) {
        return (Inet4Address) Cidr.literal(literal);
    }

    @Test
    void vxlanOnBridgeWithStaticFdbAndNeighbourEntries() {
        Link bridge = kernel.links().createBridge("np-ovk", "netplane:t:network:ovk");
        Link vx = kernel.vxlans().create(new Vxlan("vx-ovk", 4242, ipv4("198.18.0.11"), Vxlan.IANA_PORT, 1450,
                bridge.index(), true), "netplane:t:network:ovk");
        assertEquals("vxlan", vx.kind());
        assertEquals(bridge.index(), vx.master());
        assertTrue(vx.isUp());
        assertEquals(1450, vx.mtu());

        VxlanInfo info = kernel.vxlans().get("vx-ovk").orElseThrow();
        assertEquals(4242, info.vni());
        assertEquals("198.18.0.11", info.local().getHostAddress());
        assertEquals(4789, info.port());
        assertFalse(info.learning());
        assertTrue(info.proxy());
        String shown = Netns.run("ip", "-n", netns, "-d", "link", "show", "vx-ovk").out();
        assertTrue(shown.contains("vxlan id 4242 local 198.18.0.11") && shown.contains("dstport 4789")
                && shown.contains("nolearning") && shown.contains("proxy") && shown.contains("master np-ovk"), shown);

        kernel.neighbours().replaceFdb(vx.index(), "vx-ovk", MAC, ipv4("198.18.0.12"));
        kernel.neighbours().replaceFdb(vx.index(), "vx-ovk", MAC, ipv4("198.18.0.13")); // moved: replaced, not added
        kernel.neighbours().replaceNeighbour(vx.index(), "vx-ovk", ipv4("10.213.0.5"), MAC);
        kernel.neighbours().replaceNeighbour(vx.index(), "vx-ovk", ipv4("10.213.0.5"), MAC); // idempotent

        String fdb = Netns.run("bridge", "-n", netns, "fdb", "show", "dev", "vx-ovk").out();
        assertTrue(fdb.contains(MAC + " dst 198.18.0.13 self permanent"), fdb);
        assertFalse(fdb.contains("198.18.0.12"), fdb);
        String neigh = Netns.run("ip", "-n", netns, "neigh", "show", "dev", "vx-ovk").out();
        assertTrue(neigh.contains("10.213.0.5 lladdr " + MAC + " PERMANENT"), neigh);

        List<FdbEntry> entries = kernel.neighbours().listFdb(vx.index()).stream()
                .filter(e -> e.isSelf() && e.destination() != null).toList();
        assertEquals(1, entries.size(), entries.toString());
        assertEquals(MAC, entries.get(0).mac());
        assertEquals("198.18.0.13", entries.get(0).destination().getHostAddress());
        assertTrue(entries.get(0).isPermanent());
        List<Neighbour> neighbours = kernel.neighbours().listNeighbours(vx.index());
        assertEquals(1, neighbours.size(), neighbours.toString());
        assertEquals(MAC, neighbours.get(0).mac());
        assertTrue(neighbours.get(0).isPermanent());

        assertTrue(kernel.neighbours().deleteFdb(vx.index(), "vx-ovk", MAC));
        assertFalse(kernel.neighbours().deleteFdb(vx.index(), "vx-ovk", MAC), "gone already counts as deleted");
        assertTrue(kernel.neighbours().deleteNeighbour(vx.index(), "vx-ovk", ipv4("10.213.0.5")));
        assertFalse(kernel.neighbours().deleteNeighbour(vx.index(), "vx-ovk", ipv4("10.213.0.5")));
        assertFalse(Netns.run("bridge", "-n", netns, "fdb", "show", "dev", "vx-ovk").out().contains(MAC));
        assertEquals("", Netns.run("ip", "-n", netns, "neigh", "show", "dev", "vx-ovk").out().trim());
    }
}
