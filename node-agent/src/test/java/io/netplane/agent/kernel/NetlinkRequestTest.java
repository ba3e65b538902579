package io.netplane.agent.kernel;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Golden bytes of every request the kernel package builds (host order: little-endian). Each line is one
 * struct or attribute, so a wrong byte points at its field. The kernel test proves the kernel accepts them.
 */
class NetlinkRequestTest {
    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String golden(String... lines) {
        return String.join("", lines).replace(" ", "");
    }

    @Test
    void createBridge() {
        assertEquals(golden(
                "5c000000 1000 0506 01000000 00000000", // nlmsghdr: 92 B, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 1
                "00 00 0000 00000000 00000000 00000000", // ifinfomsg: AF_UNSPEC, index 0
                "1400 0300 6e70 2d33 6632 6139 6330 6537 6231 6400", // IFLA_IFNAME "np-3f2a9c0e7b1d\0"
                "0a00 0100 02a1b2c3d4e5 0000", // IFLA_ADDRESS 02:a1:b2:c3:d4:e5 + pad
                "1c00 1200", // IFLA_LINKINFO (28 B)
                "0b00 0100 6272 6964 6765 00 00", // IFLA_INFO_KIND "bridge\0" + 1 pad byte
                "0c00 0200", // IFLA_INFO_DATA (12 B)
                "0500 1700 00 000000"), // IFLA_BR_MCAST_SNOOPING 0 + pad
                hex(Links.newBridge("np-3f2a9c0e7b1d", new byte[] {2, (byte) 0xa1, (byte) 0xb2, (byte) 0xc3, (byte) 0xd4,
                        (byte) 0xe5}).toBytes(1)));
    }

    @Test
    void aBridgeMacIsUnicastAndLocallyAdministered() {
        for (int i = 0; i < 64; i++) {
            byte first = Links.randomMac()[0];
            assertEquals(0x02, first & 0x03, "unicast (bit 0 clear), locally administered (bit 1 set)");
        }
    }

    @Test
    void setAlias() {
        assertEquals(golden(
                "3c000000 1000 0500 02000000 00000000", // 60 B, RTM_NEWLINK, REQUEST|ACK, seq 2
                "00 00 0000 2a000000 00000000 00000000", // ifinfomsg: index 42
                "1b00 1400 6e65 7470 6c61 6e65 3a6e 313a 6e65 7477 6f72 6b3a 6162 63 00"), // IFLA_IFALIAS (no NUL) + pad
                hex(Links.setAliasRequest(42, "netplane:n1:network:abc").toBytes(2)));
    }

    @Test
    void setUp() {
        assertEquals(golden(
                "20000000 1000 0500 03000000 00000000", // 32 B, RTM_NEWLINK, REQUEST|ACK
                "00 00 0000 2a000000 01000000 01000000"), // index 42, flags IFF_UP, change IFF_UP
                hex(Links.setUpRequest(42).toBytes(3)));
    }

    @Test
    void setDownOffBridgeByName() {
        assertEquals(golden(
                "30000000 1000 0500 08000000 00000000", // 48 B, RTM_NEWLINK, REQUEST|ACK
                "00 00 0000 00000000 00000000 01000000", // index 0, flags 0, change IFF_UP (down)
                "0800 0300 6e703000", // IFLA_IFNAME "np0\0"
                "0800 0a00 00000000"), // IFLA_MASTER 0 (nomaster)
                hex(Links.setDownOffBridgeByNameRequest("np0").toBytes(8)));
    }

    @Test
    void setDownOffBridgeIntoGroupAndDeleteTheGroup() {
        assertEquals(golden(
                "38000000 1000 0500 08000000 00000000", // 56 B, RTM_NEWLINK, REQUEST|ACK
                "00 00 0000 00000000 00000000 01000000", // index 0, flags 0, change IFF_UP (down)
                "0800 0300 6e703000", // IFLA_IFNAME "np0\0"
                "0800 0a00 00000000", // IFLA_MASTER 0 (nomaster)
                "0800 1b00 706e0000"), // IFLA_GROUP 0x6e70
                hex(Links.setDownOffBridgeByNameRequest("np0", 0x6e70).toBytes(8)));
        assertEquals(golden(
                "28000000 1100 0500 05000000 00000000", // 40 B, RTM_DELLINK, REQUEST|ACK
                "00 00 0000 00000000 00000000 00000000", // no index, no name:
                "0800 1b00 706e0000"), // IFLA_GROUP 0x6e70 — every link of the group
                hex(Links.deleteGroupRequest(0x6e70).toBytes(5)));
    }

    @Test
    void deleteLinkByIndexAndByName() {
        assertEquals(golden(
                "20000000 1100 0500 04000000 00000000", // 32 B, RTM_DELLINK, REQUEST|ACK
                "00 00 0000 2a000000 00000000 00000000"),
                hex(Links.deleteRequest(42).toBytes(4)));
        assertEquals(golden(
                "28000000 1100 0500 05000000 00000000", // 40 B, RTM_DELLINK
                "00 00 0000 00000000 00000000 00000000",
                "0800 0300 6e703000"), // IFLA_IFNAME "np0\0"
                hex(Links.deleteByNameRequest("np0").toBytes(5)));
    }

    @Test
    void getLinkAndDumpLinks() {
        assertEquals(golden(
                "28000000 1200 0500 06000000 00000000", // RTM_GETLINK, REQUEST|ACK
                "00 00 0000 00000000 00000000 00000000",
                "0800 0300 6e703000"),
                hex(Links.getByNameRequest("np0").toBytes(6)));
        assertEquals(golden(
                "20000000 1200 0103 07000000 00000000", // RTM_GETLINK, REQUEST|DUMP
                "00 00 0000 00000000 00000000 00000000"),
                hex(Links.dumpRequest().toBytes(7)));
    }

    @Test
    void addIpv4Address() {
        assertEquals(golden(
                "30000000 1400 0506 08000000 00000000", // 48 B, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
                "02 18 00 00 2a000000", // ifaddrmsg: AF_INET, /24, flags 0, scope universe, index 42
                "0800 0200 0ad50701", // IFA_LOCAL 10.213.7.1 (network order)
                "0800 0100 0ad50701", // IFA_ADDRESS
                "0800 0400 0ad507ff"), // IFA_BROADCAST 10.213.7.255 (brd +)
                hex(Addresses.addRequest(42, Cidr.parse("10.213.7.1/24")).toBytes(8)));
    }

    @Test
    void deleteIpv4Address() {
        assertEquals(golden(
                "28000000 1500 0500 0b000000 00000000", // 40 B, RTM_DELADDR, REQUEST|ACK
                "02 10 00 00 2a000000", // ifaddrmsg: AF_INET, /16, flags 0, scope universe, index 42
                "0800 0200 0af00002", // IFA_LOCAL 10.240.0.2 (network order)
                "0800 0100 0af00002"), // IFA_ADDRESS
                hex(Addresses.deleteRequest(42, Cidr.parse("10.240.0.2/16")).toBytes(11)));
    }

    @Test
    void addressDumpAndIpv4RouteDump() {
        assertEquals(golden(
                "18000000 1600 0103 09000000 00000000", // 24 B, RTM_GETADDR, REQUEST|DUMP
                "00 00 00 00 00000000"),
                hex(Addresses.dumpRequest((byte) 0).toBytes(9)));
        assertEquals(golden(
                "1c000000 1a00 0103 0a000000 00000000", // 28 B, RTM_GETROUTE, REQUEST|DUMP
                "02 00 00 00 00 00 00 00 00000000"), // rtmsg: AF_INET, everything else 0 (all tables)
                hex(Routes.dumpRequest((byte) 2).toBytes(10)));
    }

    @Test
    void createVethWithItsPeerBornInAnotherNamespace() {
        assertEquals(golden(
                "b4000000 1000 0506 01000000 00000000", // 180 B, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 1
                "00 00 0000 00000000 01000000 01000000", // ifinfomsg: flags IFF_UP, change IFF_UP
                "1400 0300 766e7030 66656463 62613938 37363500", // IFLA_IFNAME "vnp0fedcba98765\0"
                "0800 0400 78050000", // IFLA_MTU 1400
                "0800 0a00 07000000", // IFLA_MASTER 7
                "0800 1f00 01000000", // IFLA_NUM_TX_QUEUES 1
                "0800 2000 01000000", // IFLA_NUM_RX_QUEUES 1
                "6000 1200", // IFLA_LINKINFO (96 B)
                "0900 0100 76657468 00 000000", // IFLA_INFO_KIND "veth\0" + pad
                "5000 0200", // IFLA_INFO_DATA (80 B)
                "4c00 0100", // VETH_INFO_PEER (76 B): an ifinfomsg and the peer's attributes
                "00 00 0000 00000000 00000000 00000000", // peer ifinfomsg: down (IFF_UP here gives ENOTCONN)
                "0900 0300 65746830 00 000000", // IFLA_IFNAME "eth0\0" + pad
                "0800 1f00 01000000", // IFLA_NUM_TX_QUEUES 1
                "0800 2000 01000000", // IFLA_NUM_RX_QUEUES 1
                "0800 1c00 09000000", // IFLA_NET_NS_FD 9
                "0a00 0100 0242ac120002 0000", // IFLA_ADDRESS 02:42:ac:12:00:02 + pad
                "0800 0400 78050000"), // IFLA_MTU 1400
                hex(Links.newVeth(new Veth("vnp0fedcba98765", 7, 1400, "eth0", 9, "02:42:ac:12:00:02")).toBytes(1)));
    }

    @Test
    void createVethWithoutMtuMasterOrMac() {
        assertEquals(golden(
                "88000000 1000 0506 02000000 00000000", // 136 B
                "00 00 0000 00000000 01000000 01000000",
                "0900 0300 76657468 00 000000", // IFLA_IFNAME "veth\0" + pad
                "0800 1f00 01000000 0800 2000 01000000", // one TX and one RX queue
                "4c00 1200", // IFLA_LINKINFO (76 B)
                "0900 0100 76657468 00 000000",
                "3c00 0200", // IFLA_INFO_DATA (60 B)
                "3800 0100", // VETH_INFO_PEER (56 B)
                "00 00 0000 00000000 00000000 00000000",
                "0900 0300 65746831 00 000000", // "eth1\0" + pad
                "0800 1f00 01000000 0800 2000 01000000",
                "0800 1c00 0c000000"), // IFLA_NET_NS_FD 12; no MAC, no MTU: the kernel's defaults
                hex(Links.newVeth(new Veth("veth", 0, 0, "eth1", 12, null)).toBytes(2)));
    }

    @Test
    void addDefaultRoute() {
        assertEquals(golden(
                "2c000000 1800 0506 03000000 00000000", // 44 B, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
                "02 00 00 00 fe 03 00 01 00000000", // rtmsg: AF_INET, dst_len 0, table main, proto boot, scope universe, unicast
                "0800 0500 0a000001", // RTA_GATEWAY 10.0.0.1
                "0800 0400 05000000"), // RTA_OIF 5
                hex(Routes.addDefaultRequest(Cidr.literal("10.0.0.1"), 5).toBytes(3)));
    }

    @Test
    void replaceDefaultRoute() {
        assertEquals(golden(
                "2c000000 1800 0505 03000000 00000000", // 44 B, RTM_NEWROUTE, REQUEST|ACK|REPLACE|CREATE
                "02 00 00 00 fe 03 00 01 00000000", // rtmsg: AF_INET, dst_len 0, table main, proto boot, scope universe, unicast
                "0800 0500 0a000001", // RTA_GATEWAY 10.0.0.1
                "0800 0400 05000000"), // RTA_OIF 5
                hex(Routes.replaceDefaultRequest(Cidr.literal("10.0.0.1"), 5).toBytes(3)));
    }

    @Test
    void deleteDefaultRoute() {
        assertEquals(golden(
                "34000000 1900 0500 03000000 00000000", // 52 B, RTM_DELROUTE, REQUEST|ACK
                "02 00 00 00 fe 00 ff 00 00000000", // rtmsg: AF_INET, dst_len 0, table main, any proto, scope NOWHERE, any type
                "0800 0500 0a000001", // RTA_GATEWAY 10.0.0.1
                "0800 0400 05000000", // RTA_OIF 5
                "0800 0600 32000000"), // RTA_PRIORITY 50
                hex(Routes.deleteDefaultRequest(new Route(null, Cidr.literal("10.0.0.1"), 5, Route.RT_TABLE_MAIN, 3, 0,
                        Route.RTN_UNICAST, null, 50)).toBytes(3)));
    }

    @Test
    void noIpv6LinkLocal() {
        assertEquals(golden(
                "30000000 1000 0500 05000000 00000000", // 48 B, RTM_NEWLINK, REQUEST|ACK, seq 5
                "00 00 0000 2a000000 00000000 00000000", // ifinfomsg: index 42, no flag change
                "1000 1a00", // IFLA_AF_SPEC (16 B)
                "0c00 0a00", // AF_INET6 (12 B)
                "0500 0800 01 000000"), // IFLA_INET6_ADDR_GEN_MODE: IN6_ADDR_GEN_MODE_NONE + pad
                hex(Links.noIpv6LinkLocalRequest(42).toBytes(5)));
    }

    @Test
    void setHairpin() {
        assertEquals(golden(
                "2c000000 1300 0500 04000000 00000000", // 44 B, RTM_SETLINK, REQUEST|ACK
                "07 00 0000 2a000000 00000000 00000000", // ifinfomsg: AF_BRIDGE, index 42
                "0c00 0c80", // IFLA_PROTINFO | NLA_F_NESTED (12 B)
                "0500 0400 01 000000"), // IFLA_BRPORT_MODE 1 (hairpin) + pad
                hex(Links.setHairpinRequest(42).toBytes(4)));
    }
}
