package io.netplane.agent.dns;

import io.netplane.events.data.Endpoint;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.List;

import static io.netplane.agent.dns.DnsRecords.endpoint;
import static io.netplane.agent.dns.DnsRecords.sandbox;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's §6.2 scenario as records: names only among sandboxes sharing a user-defined network. */
class NameTableTest {
    private final Network net1 = DnsRecords.userNetwork("orc-net1");
    private final Network net2 = DnsRecords.userNetwork("orc-net2");
    private final Network bridge = DnsRecords.defaultBridge();
    private final Sandbox u1 = sandbox("orc-u1", "node-a");
    private final Sandbox u2 = sandbox("orc-u2", "node-b"); // another node: still resolves
    private final Sandbox u4 = sandbox("orc-u4", "node-a");
    private final Sandbox u3 = sandbox("orc-u3", "node-a");
    private final Sandbox d1 = sandbox("orc-d1", "node-a");
    private final Endpoint e1 = endpoint(u1, net1, "192.168.64.2");
    private final Endpoint e2 = endpoint(u2, net1, "192.168.64.3", "orcweb", "orcshared");
    private final Endpoint e4 = endpoint(u4, net1, "192.168.64.4", "orcshared");
    private final Endpoint e3 = endpoint(u3, net2, "192.168.80.2");
    private final Endpoint ed = endpoint(d1, bridge, "172.17.0.2", "bridgealias");
    private final NameTable table = NameTable.build(List.of(net1, net2, bridge), List.of(u1, u2, u3, u4, d1),
            List.of(e1, e2, e3, e4, ed));

    @Test
    void sandboxNamesAliasesShortIdsAndNameDotNetworkResolveOnSharedNetworks() {
        assertEquals(List.of("192.168.64.3"), addresses(table.lookup(u1.id(), "orc-u2")));
        assertEquals(List.of("192.168.64.3"), addresses(table.lookup(u1.id(), "ORC-U2.")));
        assertEquals(List.of("192.168.64.3"), addresses(table.lookup(u1.id(), "orcweb")));
        assertEquals(List.of("192.168.64.3", "192.168.64.4"), addresses(table.lookup(u1.id(), "orcshared")));
        assertEquals(List.of("192.168.64.3"), addresses(table.lookup(u1.id(), u2.id().substring(0, 12))));
        assertEquals(List.of("192.168.64.3"), addresses(table.lookup(u1.id(), "orc-u2.orc-net1")));
        assertEquals(List.of("192.168.64.2"), addresses(table.lookup(u1.id(), "orc-u1")), "its own name too");
    }

    @Test
    void namesOfOtherNetworksAreForeignAndTheRestUnknown() {
        assertInstanceOf(NameTable.Foreign.class, table.lookup(u1.id(), "orc-u3"));
        assertInstanceOf(NameTable.Foreign.class, table.lookup(u1.id(), "orc-u3.orc-net2"));
        assertInstanceOf(NameTable.Foreign.class, table.lookup(u1.id(), "orc-u2.orc-net2"));
        assertInstanceOf(NameTable.Unknown.class, table.lookup(u1.id(), "orc-d1"), "the default bridge registers nothing");
        assertInstanceOf(NameTable.Unknown.class, table.lookup(u1.id(), "example.org"));
        assertInstanceOf(NameTable.Foreign.class, table.lookup(u3.id(), "orc-u1"));
    }

    @Test
    void theDefaultBridgeHasNoResolution() {
        assertFalse(table.serves(d1.id()));
        assertTrue(table.serves(u1.id()));
        assertInstanceOf(NameTable.Unknown.class, table.lookup(d1.id(), "bridgealias"));
        assertInstanceOf(NameTable.Foreign.class, table.lookup(d1.id(), "orc-u1"));
    }

    @Test
    void aSandboxOnTwoNetworksResolvesBothAndAnEndpointTombstoneEndsItsNames() {
        Endpoint d1OnNet2 = endpoint(d1, net2, "192.168.80.3", "orcalias3");
        NameTable connected = NameTable.build(List.of(net1, net2, bridge), List.of(u1, u2, u3, u4, d1),
                List.of(e1, e2, e3, e4, ed, d1OnNet2));
        assertTrue(connected.serves(d1.id()));
        assertEquals(List.of("192.168.80.2"), addresses(connected.lookup(d1.id(), "orc-u3")));
        assertEquals(List.of("192.168.80.3"), addresses(connected.lookup(u3.id(), "orc-d1")));
        assertEquals(List.of("192.168.80.3"), addresses(connected.lookup(u3.id(), "orcalias3")));
        NameTable disconnected = NameTable.build(List.of(net1, net2, bridge), List.of(u1, u2, u3, u4, d1),
                List.of(e1, e2, e3, e4, ed));
        assertInstanceOf(NameTable.Unknown.class, disconnected.lookup(u3.id(), "orcalias3"));
    }

    @Test
    void anEndpointWhoseNetworkIsNotKnownYetRegistersNothing() {
        NameTable early = NameTable.build(List.of(), List.of(u1, u2), List.of(e1, e2));
        assertFalse(early.serves(u1.id()));
        assertInstanceOf(NameTable.Unknown.class, early.lookup(u1.id(), "orc-u2"));
    }

    private static List<String> addresses(NameTable.Lookup lookup) {
        return assertInstanceOf(NameTable.Found.class, lookup).addresses().stream().map(Inet4Address::getHostAddress).toList();
    }
}
