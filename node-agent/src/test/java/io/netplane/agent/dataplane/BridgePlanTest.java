package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Address;
import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.Link;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgePlanTest {
    private static final String ID = "3f2a9c0e7b1d" + "0".repeat(52);
    private static final String MARK = "netplane:node-a:network:" + ID;

    private final DesiredBridge desired = DesiredBridge.of(
            Networks.bridge(ID, "np-3f2a9c0e7b1d", "172.18.0.0/16", "172.18.0.1"), "node-a", "np0");

    @Test
    void desiredBridgeTakesNameMarkAndGatewayWithTheSubnetsPrefix() {
        assertEquals("np-3f2a9c0e7b1d", desired.name());
        assertEquals(MARK, desired.mark().alias());
        assertEquals(List.of(Cidr.parse("172.18.0.1/16")), desired.gateways());
    }

    @Test
    void predefinedBridgeUsesTheConfiguredDefaultName() {
        DesiredBridge bridge = DesiredBridge.of(Networks.predefinedBridge(ID), "node-a", "nptest0");
        assertEquals("nptest0", bridge.name());
        assertEquals(List.of(Cidr.parse("172.17.0.1/16")), bridge.gateways());
    }

    @Test
    void badBridgeNamesAreRefused() {
        assertThrows(DataplaneException.class, () -> DesiredBridge.of(
                Networks.bridge(ID, "a-name-longer-than-15", "10.0.0.0/24", "10.0.0.1"), "n", "np0"));
        assertThrows(DataplaneException.class, () -> DesiredBridge.of(
                Networks.bridge(ID, "bad/name", "10.0.0.0/24", "10.0.0.1"), "n", "np0"));
        assertThrows(DataplaneException.class, () -> DesiredBridge.of(
                Networks.bridge(ID, null, "10.0.0.0/24", "10.0.0.1"), "n", "np0"));
    }

    @Test
    void missingBridgeIsCreatedAddressedAndUp() {
        BridgePlan plan = BridgePlan.of(desired, Optional.empty(), List.of());
        assertTrue(plan.create());
        assertEquals(List.of(Cidr.parse("172.18.0.1/16")), plan.addAddresses());
        assertTrue(plan.bringUp());
    }

    @Test
    void ourBridgeAsDesiredNeedsNothing() {
        Link link = new Link(9, "np-3f2a9c0e7b1d", "bridge", MARK, Link.IFF_UP, 0);
        BridgePlan plan = BridgePlan.of(desired, Optional.of(link), List.of(new Address(9, Cidr.parse("172.18.0.1/16"), null)));
        assertTrue(plan.changesNothing());
    }

    @Test
    void ourBridgeDownAndWithoutAddressIsCompleted() {
        Link link = new Link(9, "np-3f2a9c0e7b1d", "bridge", MARK, 0, 0);
        BridgePlan plan = BridgePlan.of(desired, Optional.of(link), List.of(new Address(9, Cidr.parse("172.18.0.1/24"), null)));
        assertFalse(plan.create());
        assertEquals(List.of(Cidr.parse("172.18.0.1/16")), plan.addAddresses());
        assertTrue(plan.bringUp());
    }

    @Test
    void anUnmarkedLinkIsNeverTouched() {
        Link link = new Link(9, "np-3f2a9c0e7b1d", "bridge", null, Link.IFF_UP, 0);
        DataplaneException e = assertThrows(DataplaneException.class, () -> BridgePlan.of(desired, Optional.of(link), List.of()));
        assertEquals("network " + ID + ": bridge np-3f2a9c0e7b1d already exists and is not netplane's (no mark "
                + MARK + "); netplane leaves it untouched", e.getMessage());
    }

    @Test
    void anotherNodesOrNetworksLinkIsNeverTouched() {
        Link other = new Link(9, "np-3f2a9c0e7b1d", "bridge", "netplane:node-b:network:" + ID, Link.IFF_UP, 0);
        assertTrue(assertThrows(DataplaneException.class, () -> BridgePlan.of(desired, Optional.of(other), List.of()))
                .getMessage().contains("belongs to node node-b"));
        Link otherNetwork = new Link(9, "np-3f2a9c0e7b1d", "bridge", "netplane:node-a:network:ffff", Link.IFF_UP, 0);
        assertTrue(assertThrows(DataplaneException.class, () -> BridgePlan.of(desired, Optional.of(otherNetwork), List.of()))
                .getMessage().contains("belongs to network ffff"));
    }

    @Test
    void ownershipMarksParseAndMatchOnlyTheirNode() {
        assertEquals(Optional.of(OwnershipMark.network("node-a", ID)), OwnershipMark.parse(MARK));
        assertTrue(OwnershipMark.isOwnedBy(MARK, "node-a"));
        assertFalse(OwnershipMark.isOwnedBy(MARK, "node"));
        assertFalse(OwnershipMark.isOwnedBy("some alias", "node-a"));
        assertFalse(OwnershipMark.isOwnedBy(null, "node-a"));
        assertEquals(Optional.empty(), OwnershipMark.parse("netplane:broken"));
    }

    @Test
    void kernelFreeAndUnsupportedDrivers() {
        assertEquals(new NetworkState(ID, null, 0), new KernelFreeDriver().setup(Networks.withDriver(ID, "host")));
        assertEquals("driver overlay not supported yet", assertThrows(DataplaneException.class,
                () -> new UnsupportedDriver("overlay").setup(Networks.withDriver(ID, "overlay"))).getMessage());
    }
}
