package io.netplane.ipam.pool;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv4SubnetTest {

    @Test
    void parsesAndFormats() {
        Ipv4Subnet s = Ipv4Subnet.parse("172.18.0.0/16");
        assertEquals("172.18.0.0/16", s.toString());
        assertEquals(65536, s.size());
        assertEquals("172.18.0.1", Ipv4Address.format(s.firstHost()));
        assertEquals("172.18.255.255", Ipv4Address.format(s.broadcast()));
        assertFalse(s.hasHostBits());
    }

    @Test
    void keepsHostBitsAsWrittenAndKnowsThem() {
        Ipv4Subnet s = Ipv4Subnet.parse("10.125.1.5/24");
        assertTrue(s.hasHostBits());
        assertEquals("10.125.1.5/24", s.asWritten());
        assertEquals("10.125.1.0/24", s.toString());
        assertEquals(Ipv4Subnet.parse("10.125.1.0/24"), s.canonical());
    }

    @Test
    void refusesWhatIsNotACidr() {
        for (String bad : new String[] {"notacidr", "10.126.0.0/33", "10.0.0.0", "10.0.0/8", "256.0.0.0/8",
                "10.0.0.0/", "/8", "10.0.0.0/8/8", "10.0.0.-1/8", "10.0.0.0/+8", "", " 10.0.0.0/8"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Subnet.parse(bad), bad);
            assertEquals("invalid CIDR address: " + bad, e.getMessage());
        }
    }

    @Test
    void overlapAndContainment() {
        Ipv4Subnet wide = Ipv4Subnet.parse("172.16.0.0/12");
        Ipv4Subnet s18 = Ipv4Subnet.parse("172.18.0.0/16");
        Ipv4Subnet s19 = Ipv4Subnet.parse("172.19.0.0/16");
        assertTrue(wide.overlaps(s18));
        assertTrue(s18.overlaps(wide));
        assertFalse(s18.overlaps(s19));
        assertTrue(wide.contains(s18));
        assertFalse(s18.contains(wide));
        assertTrue(Ipv4Subnet.parse("0.0.0.0/0").overlaps(s19));
        assertTrue(Ipv4Subnet.parse("255.255.255.255/32").overlaps(Ipv4Subnet.parse("255.0.0.0/8")));
    }

    @Test
    void highAddressesStayUnsigned() {
        Ipv4Subnet s = Ipv4Subnet.parse("224.0.0.0/4");
        assertEquals("239.255.255.255", Ipv4Address.format(s.broadcast()));
        assertTrue(s.contains(Ipv4Address.parse("230.1.2.3")));
        assertFalse(s.contains(Ipv4Address.parse("192.168.1.1")));
    }
}
