package io.netplane.agent.kernel;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing replies laid out as the kernel sends them (little-endian host order). */
class NetlinkReplyTest {
    private static ByteBuffer bytes(String... lines) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(String.join("", lines).replace(" ", "")));
    }

    @Test
    void errorWithExtendedAck() {
        // as the kernel answers a create with an unknown kind, on a socket with NETLINK_CAP_ACK and NETLINK_EXT_ACK
        ByteBuffer datagram = bytes(
                "44000000 0200 0003 07000000 d2040000", // NLMSG_ERROR, flags CAPPED|ACK_TLVS, seq 7, port 1234
                "a1ffffff", // error -95
                "44000000 1000 0506 07000000 00000000", // the request's header only (capped)
                "1800 0100 556e 6b6e 6f77 6e20 6465 7669 6365 2074 7970 6500", // NLMSGERR_ATTR_MSG "Unknown device type\0"
                "0800 0200 24000000"); // NLMSGERR_ATTR_OFFS 36
        List<NetlinkMessage> messages = NetlinkMessage.parseAll(datagram);
        assertEquals(1, messages.size());
        NetlinkMessage error = messages.get(0);
        assertTrue(error.isError());
        assertEquals(7, error.seq());
        assertEquals(95, error.errno());
        assertEquals("Unknown device type", error.extAck());

        KernelException exception = new KernelException("create bridge np-3f2a9c0e7b1d", error.errno(), error.extAck());
        assertEquals("create bridge np-3f2a9c0e7b1d: Operation not supported (EOPNOTSUPP): Unknown device type",
                exception.getMessage());
        assertEquals("EOPNOTSUPP", exception.errnoName());
    }

    @Test
    void uncappedErrorSkipsTheEchoedRequest() {
        ByteBuffer datagram = bytes(
                "3c000000 0200 0002 05000000 00000000", // NLMSG_ERROR, flags ACK_TLVS only
                "efffffff", // -17
                "20000000 1400 0506 05000000 00000000 02180000 02000000 0800 0200 0ad50701", // whole request echoed (32 B)
                "0800 0100 61626300"); // NLMSGERR_ATTR_MSG "abc"
        NetlinkMessage error = NetlinkMessage.parseAll(datagram).get(0);
        assertEquals(17, error.errno());
        assertEquals("abc", error.extAck());
        assertEquals("create bridge np-3f2a9c0e7b1d: File exists (EEXIST): abc",
                new KernelException("create bridge np-3f2a9c0e7b1d", error.errno(), error.extAck()).getMessage());
    }

    @Test
    void ackHasNoExtAck() {
        NetlinkMessage ack = NetlinkMessage.parseAll(bytes(
                "24000000 0200 0001 09000000 00000000", "00000000", "20000000 1000 0500 09000000 00000000")).get(0);
        assertEquals(0, ack.errno());
        assertNull(ack.extAck());
    }

    @Test
    void dumpDatagramWithALinkAndDone() {
        ByteBuffer datagram = bytes(
                // RTM_NEWLINK, MULTI, seq 3: ifinfomsg index 12, flags UP|BROADCAST|MULTICAST (0x1003)
                "54000000 1000 0200 03000000 00000000",
                "00 00 0100 0c000000 03100000 00000000",
                "0a00 0300 6e70 2d61 6200 0000", // IFLA_IFNAME "np-ab\0" + pad
                "0800 0a00 07000000", // IFLA_MASTER 7
                "1000 1400 6e65 7470 6c61 6e65 3a6e 313a", // IFLA_IFALIAS "netplane:n1:" (no NUL)
                "1000 1280", // IFLA_LINKINFO with NLA_F_NESTED
                "0b00 0100 6272 6964 6765 0000", // IFLA_INFO_KIND "bridge\0"
                "14000000 0300 0200 03000000 00000000 00000000"); // NLMSG_DONE, 0
        List<NetlinkMessage> messages = NetlinkMessage.parseAll(datagram);
        assertEquals(2, messages.size());
        Link link = Links.parse(messages.get(0));
        assertEquals(new Link(12, "np-ab", "bridge", "netplane:n1:", 0x1003, 7), link);
        assertTrue(link.isUp());
        assertTrue(messages.get(1).isDone());
        assertEquals(0, messages.get(1).errno());
    }

    @Test
    void routeAndAddressReplies() {
        NetlinkMessage route = NetlinkMessage.parseAll(bytes(
                "3c000000 1800 0200 04000000 00000000", // RTM_NEWROUTE, 60 B
                "02 10 00 00 fe 02 fd 01 00000000", // AF_INET /16, table main, proto kernel, scope link, unicast
                "0800 0f00 fe000000", // RTA_TABLE 254
                "0800 0100 ac110000", // RTA_DST 172.17.0.0
                "0800 0700 ac110001", // RTA_PREFSRC 172.17.0.1
                "0800 0400 05000000")).get(0); // RTA_OIF 5
        Route parsed = Routes.parse(route);
        assertEquals("172.17.0.0/16", parsed.destination().toString());
        assertEquals(5, parsed.outputIndex());
        assertEquals(Route.RT_TABLE_MAIN, parsed.table());
        assertEquals("172.17.0.1", parsed.preferredSource().getHostAddress());

        NetlinkMessage address = NetlinkMessage.parseAll(bytes(
                "28000000 1400 0200 05000000 00000000", // RTM_NEWADDR, 40 B
                "02 18 80 00 05000000", // AF_INET /24, IFA_F_PERMANENT, index 5
                "0800 0100 0ad50701", "0800 0200 0ad50701")).get(0);
        assertEquals(new Address(5, Cidr.parse("10.213.7.1/24"), null), Addresses.parse(address));
    }
}
