package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.PortBinding;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nftables text of each firewall change, without root: set and map elements, never rules. */
class FirewallRulesetTest {
    private static final FirewallNetwork NET = new FirewallNetwork("n1", "np-3f2a9c0e7b1d",
            List.of(Cidr.parse("172.18.0.1/16")), false);
    private static final FirewallNetwork INTERNAL = new FirewallNetwork("n2", "np-internal", List.of(Cidr.parse("10.9.0.1/24")), true);

    @Test
    void aNetworkIsElementsOfTheSets() {
        assertEquals("""
                add element inet netplane bridges { "np-3f2a9c0e7b1d" }
                add element inet netplane same { "np-3f2a9c0e7b1d" . "np-3f2a9c0e7b1d" }
                add element inet netplane subnets { 172.18.0.0/16 }
                add element inet netplane nat_subnets { 172.18.0.0/16 }
                """, FirewallRuleset.addNetwork("netplane", NET));
        assertEquals("""
                delete element inet t bridges { "np-internal" }
                delete element inet t same { "np-internal" . "np-internal" }
                delete element inet t internal { "np-internal" }
                delete element inet t subnets { 10.9.0.0/24 }
                """, FirewallRuleset.removeNetwork("t", INTERNAL));
    }

    @Test
    void publishedPortsAreMapElements() {
        List<PortMapping> ports = PortMapping.of("e1", List.of(new PortBinding("tcp", "0.0.0.0", 18080, 80),
                        new PortBinding("udp", "", 18053, 53), new PortBinding("tcp", "127.0.0.1", 18081, 81),
                        new PortBinding("tcp", "::", 18080, 80)),
                List.of(new EndpointAddress(Family.ipv4, "172.18.0.2", 16, "172.18.0.1")));
        assertEquals("""
                add element inet netplane ports { tcp . 18080 : 172.18.0.2 . 80, udp . 18053 : 172.18.0.2 . 53 }
                add element inet netplane host_ports { tcp . 127.0.0.1 . 18081 : 172.18.0.2 . 81 }
                """, FirewallRuleset.addPorts("netplane", ports));
        assertEquals("""
                delete element inet netplane ports { tcp . 18080, udp . 18053 }
                delete element inet netplane host_ports { tcp . 127.0.0.1 . 18081 }
                """, FirewallRuleset.removePorts("netplane", ports));
    }

    @Test
    void theTableIsReplacedInOneTransaction() {
        String text = FirewallRuleset.replace("netplane", List.of(NET), List.of());
        assertTrue(text.startsWith("add table inet netplane\ndelete table inet netplane\ntable inet netplane {\n"), text);
        assertTrue(text.contains("fib daddr type local dnat ip to meta l4proto . th dport map @ports"), text);
        assertTrue(text.contains("iifname != \"lo\" ip daddr 127.0.0.0/8 drop"), text);
        assertTrue(text.endsWith(FirewallRuleset.addNetwork("netplane", NET)), text);
    }

    @Test
    void portsWithoutAnIpv4AddressOrHostPortAreRefused() {
        assertThrows(DataplaneException.class, () -> PortMapping.of("e1", List.of(new PortBinding("tcp", null, 0, 80)),
                List.of(new EndpointAddress(Family.ipv4, "172.18.0.2", 16, null))));
        assertThrows(DataplaneException.class, () -> PortMapping.of("e1", List.of(new PortBinding("tcp", null, 18080, 80)),
                List.of()));
    }
}
