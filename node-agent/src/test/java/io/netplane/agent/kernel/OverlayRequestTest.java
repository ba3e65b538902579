package io.netplane.agent.kernel;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Golden bytes of the overlay requests: the VXLAN device, FDB and neighbour entries (host order, little-endian,
 * except the VXLAN port and addresses, which are network order). OverlayKernelTest proves the kernel takes them.
 */
class OverlayRequestTest {
    private static final String MAC = "02:42:0a:00:01:05";

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String golden(String... lines) {
        return String.join("", lines).replace(" ", "");
    }

    private static Inet4Address ipv4(String literal) {
        return (Inet4Address) Cidr.literal(literal);
    }

    @Test
    void createVxlan() {
        Vxlan vxlan = new Vxlan("vx-3f2a9c0e7b1d", 4096, ipv4("198.18.0.11"), Vxlan.IANA_PORT, 1450, 0, true);
        assertEquals(golden(
                "78000000 1000 0506 01000000 00000000", // 120 B, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 1
                "00 00 0000 00000000 00000000 00000000", // ifinfomsg: AF_UNSPEC, index 0, down
                "1400 0300 7678 2d33 6632 6139 6330 6537 6231 6400", // IFLA_IFNAME "vx-3f2a9c0e7b1d\0"
                "0800 0400 aa050000", // IFLA_MTU 1450
                "3c00 1200", // IFLA_LINKINFO (60 B)
                "0a00 0100 7678 6c61 6e00 0000", // IFLA_INFO_KIND "vxlan\0" + 2 pad
                "2c00 0200", // IFLA_INFO_DATA (44 B)
                "0800 0100 00100000", // IFLA_VXLAN_ID 4096
                "0800 0400 c612000b", // IFLA_VXLAN_LOCAL 198.18.0.11
                "0500 0700 00 000000", // IFLA_VXLAN_LEARNING 0 (nolearning)
                "0500 0b00 01 000000", // IFLA_VXLAN_PROXY 1
                "0600 0f00 12b5 0000"), // IFLA_VXLAN_PORT 4789, big-endian
                hex(Vxlans.newVxlan(vxlan).toBytes(1)));
    }

    @Test
    void createVxlanWithoutMtuOrProxy() {
        Vxlan vxlan = new Vxlan("vx-1", 16777215, ipv4("198.18.0.12"), Vxlan.IANA_PORT, 0, 0, false);
        assertEquals(golden(
                "60000000 1000 0506 02000000 00000000", // 96 B
                "00 00 0000 00000000 00000000 00000000",
                "0900 0300 7678 2d31 00 000000", // IFLA_IFNAME "vx-1\0" + 3 pad
                "3400 1200", // IFLA_LINKINFO (52 B)
                "0a00 0100 7678 6c61 6e00 0000",
                "2400 0200", // IFLA_INFO_DATA (36 B)
                "0800 0100 ffffff00", // VNI 2^24 - 1
                "0800 0400 c612000c",
                "0500 0700 00 000000",
                "0600 0f00 12b5 0000"),
                hex(Vxlans.newVxlan(vxlan).toBytes(2)));
        assertThrows(IllegalArgumentException.class,
                () -> new Vxlan("vx-1", 1 << 24, ipv4("198.18.0.12"), Vxlan.IANA_PORT, 0, 0, false));
    }

    @Test
    void replaceAndDeleteFdbEntry() {
        assertEquals(golden(
                "30000000 1c00 0505 03000000 00000000", // 48 B, RTM_NEWNEIGH, REQUEST|ACK|CREATE|REPLACE
                "07 00 0000 2a000000 8000 02 00", // ndmsg: AF_BRIDGE, index 42, NUD_PERMANENT, NTF_SELF
                "0a00 0200 0242 0a00 0105 0000", // NDA_LLADDR + 2 pad
                "0800 0100 c612000c"), // NDA_DST 198.18.0.12
                hex(Neighbours.replaceFdbRequest(42, MAC, ipv4("198.18.0.12")).toBytes(3)));
        assertEquals(golden(
                "28000000 1d00 0500 04000000 00000000", // 40 B, RTM_DELNEIGH, REQUEST|ACK
                "07 00 0000 2a000000 0000 02 00", // AF_BRIDGE, index 42, NTF_SELF
                "0a00 0200 0242 0a00 0105 0000"),
                hex(Neighbours.deleteFdbRequest(42, MAC).toBytes(4)));
        assertEquals(golden(
                "20000000 1e00 0103 05000000 00000000", // 32 B, RTM_GETNEIGH, REQUEST|DUMP
                "07 00 0000 2a000000 00000000 00000000"), // ifinfomsg: AF_BRIDGE, index 42 (the device filter)
                hex(Neighbours.dumpFdbRequest(42).toBytes(5)));
    }

    @Test
    void replaceAndDeleteNeighbour() {
        assertEquals(golden(
                "30000000 1c00 0505 06000000 00000000", // 48 B, RTM_NEWNEIGH, REQUEST|ACK|CREATE|REPLACE
                "02 00 0000 2a000000 8000 00 00", // ndmsg: AF_INET, index 42, NUD_PERMANENT
                "0800 0100 0a000105", // NDA_DST 10.0.1.5
                "0a00 0200 0242 0a00 0105 0000"), // NDA_LLADDR
                hex(Neighbours.replaceNeighbourRequest(42, ipv4("10.0.1.5"), MAC).toBytes(6)));
        assertEquals(golden(
                "24000000 1d00 0500 07000000 00000000", // 36 B, RTM_DELNEIGH
                "02 00 0000 2a000000 0000 00 00",
                "0800 0100 0a000105"),
                hex(Neighbours.deleteNeighbourRequest(42, ipv4("10.0.1.5")).toBytes(7)));
        assertEquals(golden(
                "1c000000 1e00 0103 08000000 00000000", // 28 B, RTM_GETNEIGH, REQUEST|DUMP
                "02 00 0000 00000000 0000 00 00"),
                hex(Neighbours.dumpNeighboursRequest().toBytes(8)));
    }
}
