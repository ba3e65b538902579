package io.netplane.ipam.allocation;

import io.netplane.events.data.IpamConfig;
import io.netplane.ipam.pool.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserSubnetTest {

    private static UserSubnet valid(String subnet, String range, String gateway) {
        return UserSubnet.from(List.of(new IpamConfig(subnet, range, gateway, Map.of()))).orElseThrow();
    }

    @Test
    void noConfigMeansAutomatic() {
        assertTrue(UserSubnet.from(null).isEmpty());
        assertTrue(UserSubnet.from(List.of()).isEmpty());
    }

    @Test
    void gatewayDefaultsToFirstHostOrRangeStart() {
        assertEquals("10.214.0.1", Ipv4Address.format(valid("10.214.0.0/24", null, null).effectiveGateway()));
        assertEquals("10.78.5.0", Ipv4Address.format(valid("10.78.0.0/16", "10.78.5.0/24", null).effectiveGateway()));
        assertEquals("10.79.0.1", Ipv4Address.format(valid("10.79.0.0/16", "10.79.5.0/24", "10.79.0.1").effectiveGateway()));
    }

    @Test
    void errorsCarryDockersWordsAndA4xxStatus() {
        assertRefused(400, "Invalid subnet notacidr : invalid CIDR address: notacidr", "notacidr", null, null);
        assertRefused(400, "Invalid subnet 10.126.0.0/33 : invalid CIDR address: 10.126.0.0/33", "10.126.0.0/33", null, null);
        assertRefused(400, "Invalid subnet  : invalid CIDR address: ", null, null, "10.0.0.1");
        assertRefused(400, "failed to allocate gateway (10.128.0.1): Requested address is out of range",
                "10.129.0.0/16", null, "10.128.0.1");
        assertRefused(400, "invalid gateway address nope in Ipam configuration", "10.129.0.0/16", null, "nope");
        assertRefused(400, "invalid subnet 10.1.1.5/24: host bits are set (did you mean 10.1.1.0/24?)",
                "10.1.1.5/24", null, null);
        assertRefused(400, "ip-range 10.218.0.0/25 is not inside subnet 10.217.0.0/16", "10.217.0.0/16",
                "10.218.0.0/25", null);
        assertRefused(400, "Invalid ip-range bad : invalid CIDR address: bad", "10.217.0.0/16", "bad", null);
    }

    @Test
    void moreThanOneSubnetIsRefusedForNow() {
        RejectedIntent e = assertThrows(RejectedIntent.class, () -> UserSubnet.from(List.of(
                new IpamConfig("10.1.0.0/24", null, null, null), new IpamConfig("10.2.0.0/24", null, null, null))));
        assertEquals(400, e.status());
        assertEquals("more than one IPv4 subnet per network is not supported yet: 10.1.0.0/24, 10.2.0.0/24", e.getMessage());
    }

    @Test
    void bridgeNames() {
        String id = "0123456789abcdef".repeat(4);
        assertEquals("np-0123456789ab", BridgeName.of(id, Map.of()));
        assertEquals("br-test_1.x", BridgeName.of(id, Map.of(BridgeName.OPTION, "br-test_1.x")));
        for (String bad : new String[] {"sixteen-chars-xx", "", "a b", "a/b", "é", ".."}) {
            RejectedIntent e = assertThrows(RejectedIntent.class, () -> BridgeName.of(id, Map.of(BridgeName.OPTION, bad)), bad);
            assertEquals(400, e.status());
        }
    }

    @Test
    void drivers() {
        NetworkAllocator.checkDriver("bridge");
        NetworkAllocator.checkDriver("overlay");
        RejectedIntent host = assertThrows(RejectedIntent.class, () -> NetworkAllocator.checkDriver("host"));
        assertEquals(403, host.status());
        assertEquals("only one instance of \"host\" network is allowed", host.getMessage());
        RejectedIntent none = assertThrows(RejectedIntent.class, () -> NetworkAllocator.checkDriver("null"));
        assertEquals("only one instance of \"null\" network is allowed", none.getMessage());
        RejectedIntent unknown = assertThrows(RejectedIntent.class, () -> NetworkAllocator.checkDriver("orcnodriver"));
        assertEquals(404, unknown.status());
        assertEquals("plugin \"orcnodriver\" not found", unknown.getMessage());
    }

    private static void assertRefused(int status, String message, String subnet, String range, String gateway) {
        RejectedIntent e = assertThrows(RejectedIntent.class, () -> valid(subnet, range, gateway));
        assertEquals(message, e.getMessage());
        assertEquals(status, e.status());
    }
}
