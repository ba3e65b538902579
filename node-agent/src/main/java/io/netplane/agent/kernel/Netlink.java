package io.netplane.agent.kernel;

/** Constants of linux/netlink.h and linux/rtnetlink.h that the kernel package uses. */
final class Netlink {
    static final int HEADER_LENGTH = 16;

    // nlmsghdr.nlmsg_type
    static final short NLMSG_ERROR = 2;
    static final short NLMSG_DONE = 3;
    static final short RTM_NEWLINK = 16;
    static final short RTM_DELLINK = 17;
    static final short RTM_GETLINK = 18;
    static final short RTM_SETLINK = 19;
    static final short RTM_NEWADDR = 20;
    static final short RTM_DELADDR = 21;
    static final short RTM_GETADDR = 22;
    static final short RTM_NEWROUTE = 24;
    static final short RTM_DELROUTE = 25;
    static final short RTM_GETROUTE = 26;

    // nlmsghdr.nlmsg_flags
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_DUMP = 0x300;
    static final int NLM_F_REPLACE = 0x100;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    // flags of an NLMSG_ERROR message
    static final int NLM_F_CAPPED = 0x100;
    static final int NLM_F_ACK_TLVS = 0x200;
    // nlmsgerr attributes
    static final int NLMSGERR_ATTR_MSG = 1;
    static final int NLMSGERR_ATTR_OFFS = 2;

    static final byte AF_UNSPEC = 0;
    static final byte AF_INET = 2;
    static final byte AF_INET6 = 10;

    static final int NLA_TYPE_MASK = 0x3fff; // strips NLA_F_NESTED / NLA_F_NET_BYTEORDER

    private Netlink() {
    }

    static int align(int length) {
        return (length + 3) & ~3;
    }
}
