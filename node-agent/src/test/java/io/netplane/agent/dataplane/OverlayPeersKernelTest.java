package io.netplane.agent.dataplane;

import io.netplane.agent.IpCommand;
import io.netplane.agent.Netns;
import io.netplane.agent.TestRequirements;
import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.kernel.Vxlan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * As root, in a throwaway namespace: {@link OverlayPeers#update} (per desired record) changes only what differs
 * from what it programmed last, without reading the device; {@link OverlayPeers#sync} (periodic) reads the device
 * and repairs what was changed behind the agent's back; a rebuilt device is read again; a device that is not this
 * node's is never touched. Checked with {@code bridge fdb} and {@code ip neigh}.
 */
class OverlayPeersKernelTest {
    private static final String NODE = "t-" + IpCommand.hex(2);
    private static final String NETWORK = IpCommand.hex(32);
    private static final String VX = OverlayDriver.vxlanName(NETWORK);
    private final String netns = "npt-ovp-" + IpCommand.hex(3);
    private Rtnetlink kernel;
    private OverlayPeers peers;

    private static final OverlayPeer P1 = peer(1, "198.18.0.12");
    private static final OverlayPeer P2 = peer(2, "198.18.0.13");
    private static final OverlayPeer P3 = peer(3, "198.18.0.13");

    private static OverlayPeer peer(int i, String underlay) {
        return new OverlayPeer("e" + i, "02:42:0a:d6:00:0" + i, ipv4("10.214.0." + i), ipv4(underlay));
    }

    private static Inet4Address ipv4(String literal) {
        return (Inet4Address) Cidr.literal(literal);
    }

    @BeforeEach
    void open() {
        TestRequirements.requireRoot();
        IpCommand.check("netns", "add", netns);
        Netns.check("ip", "-n", netns, "link", "add", "under0", "type", "veth", "peer", "name", "under1");
        Netns.check("ip", "-n", netns, "addr", "add", "198.18.0.11/24", "dev", "under0");
        Netns.check("ip", "-n", netns, "link", "set", "under0", "up");
        kernel = Rtnetlink.in(new NetNamespace(netns));
        peers = new OverlayPeers(kernel, NODE);
    }

    @AfterEach
    void cleanUp() {
        if (kernel != null) {
            kernel.close();
        }
        IpCommand.run("netns", "del", netns);
    }

    private Link device(String alias) {
        Link bridge = kernel.links().get("np-ovp").orElseGet(() -> kernel.links().createBridge("np-ovp", alias));
        return kernel.vxlans().create(new Vxlan(VX, 4343, ipv4("198.18.0.11"), Vxlan.IANA_PORT, 1450, bridge.index(), true), alias);
    }

    private String fdb() {
        return Netns.run("bridge", "-n", netns, "fdb", "show", "dev", VX).out();
    }

    private String neighbours() {
        return Netns.run("ip", "-n", netns, "neigh", "show", "dev", VX).out();
    }

    private void assertHolds(OverlayPeer... expected) {
        String fdb = fdb();
        String neigh = neighbours();
        for (OverlayPeer p : List.of(P1, P2, P3)) {
            boolean wanted = List.of(expected).contains(p);
            assertEquals(wanted, fdb.contains(p.mac() + " dst " + p.underlay().getHostAddress() + " self permanent"), fdb);
            assertEquals(wanted, neigh.contains(p.address().getHostAddress() + " lladdr " + p.mac() + " PERMANENT"), neigh);
        }
    }

    @Test
    void updateChangesOnlyWhatDiffersAndSyncRepairs() {
        device(OwnershipMark.network(NODE, NETWORK).alias());

        assertEquals(new OverlayPeers.Changes(4, 0), peers.update(NETWORK, List.of(P1, P2)), "no record yet: the device is read");
        assertHolds(P1, P2);
        assertEquals(new OverlayPeers.Changes(0, 2), peers.update(NETWORK, List.of(P1)));
        assertHolds(P1);
        assertEquals(new OverlayPeers.Changes(0, 0), peers.update(NETWORK, List.of(P1)));

        // an entry deleted behind the agent's back: an update goes by its record, the periodic sync reads the device
        Netns.check("bridge", "-n", netns, "fdb", "del", P1.mac(), "dev", VX, "self");
        assertEquals(new OverlayPeers.Changes(2, 0), peers.update(NETWORK, List.of(P1, P3)));
        assertFalse(fdb().contains(P1.mac()), fdb());
        assertEquals(new OverlayPeers.Changes(1, 0), peers.sync(NETWORK, List.of(P1, P3)));
        assertHolds(P1, P3);

        // the device built again (another index): its entries are read, not assumed
        Netns.check("ip", "-n", netns, "link", "del", VX);
        device(OwnershipMark.network(NODE, NETWORK).alias());
        assertEquals(new OverlayPeers.Changes(4, 0), peers.update(NETWORK, List.of(P1, P3)));
        assertHolds(P1, P3);
    }

    @Test
    void aDeviceOfAnotherNodeIsNeverTouched() {
        device(OwnershipMark.network(NODE + "x", NETWORK).alias());
        assertEquals(new OverlayPeers.Changes(0, 0), peers.update(NETWORK, List.of(P1)));
        assertEquals(new OverlayPeers.Changes(0, 0), peers.sync(NETWORK, List.of(P1)));
        assertHolds();
    }
}
