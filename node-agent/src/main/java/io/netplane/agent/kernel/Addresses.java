package io.netplane.agent.kernel;

import java.nio.ByteBuffer;
import java.util.List;

/** Interface addresses (rtnetlink RTM_*ADDR). Each method says the {@code ip} command it equals. */
public final class Addresses {
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_LABEL = 3;
    static final int IFA_BROADCAST = 4;
    static final int IFADDRMSG_LENGTH = 8;
    static final int RT_SCOPE_UNIVERSE = 0;

    private final NetlinkSocket socket;

    public Addresses(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Equivalent to {@code ip addr add ADDRESS/PREFIX brd + dev NAME}. Idempotent: an address that is
     * already there (EEXIST) counts as added; returns false then.
     */
    public boolean add(int index, String name, Cidr address) {
        try {
            socket.execute("add address " + address + " to " + name, addRequest(index, address));
            return true;
        } catch (KernelException e) {
            if (e.is(Errno.EEXIST)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Equivalent to {@code ip addr del ADDRESS/PREFIX dev NAME}. Idempotent: an address or link that is not there
     * (EADDRNOTAVAIL, ENODEV) counts as deleted; returns false then.
     */
    public boolean delete(int index, String name, Cidr address) {
        try {
            socket.execute("delete address " + address + " from " + name, deleteRequest(index, address));
            return true;
        } catch (KernelException e) {
            if (e.is(Errno.EADDRNOTAVAIL) || e.is(Errno.ENODEV)) {
                return false;
            }
            throw e;
        }
    }

    /** Equivalent to {@code ip addr show dev NAME} (both families). */
    public List<Address> list(int index) {
        return listAll().stream().filter(a -> a.index() == index).toList();
    }

    /** Equivalent to {@code ip addr show}. */
    public List<Address> listAll() {
        return socket.dump("dump addresses", dumpRequest(Netlink.AF_UNSPEC)).stream()
                .filter(m -> m.type() == Netlink.RTM_NEWADDR)
                .map(Addresses::parse)
                .toList();
    }

    static NetlinkRequest addRequest(int index, Cidr address) {
        boolean ipv4 = address.isIpv4();
        byte[] bytes = address.address().getAddress();
        NetlinkRequest request = NetlinkRequest.of(Netlink.RTM_NEWADDR,
                        Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .ifaddrmsg(ipv4 ? Netlink.AF_INET : Netlink.AF_INET6, address.prefixLength(), 0, RT_SCOPE_UNIVERSE, index)
                .attribute(IFA_LOCAL, bytes)
                .attribute(IFA_ADDRESS, bytes);
        if (ipv4 && address.prefixLength() < 31) {
            request.attribute(IFA_BROADCAST, address.broadcast().getAddress());
        }
        return request;
    }

    static NetlinkRequest deleteRequest(int index, Cidr address) {
        // the kernel matches IFA_LOCAL and the prefix length on that interface, as ip does
        byte[] bytes = address.address().getAddress();
        return NetlinkRequest.of(Netlink.RTM_DELADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifaddrmsg(address.isIpv4() ? Netlink.AF_INET : Netlink.AF_INET6, address.prefixLength(), 0,
                        RT_SCOPE_UNIVERSE, index)
                .attribute(IFA_LOCAL, bytes)
                .attribute(IFA_ADDRESS, bytes);
    }

    static NetlinkRequest dumpRequest(byte family) {
        return NetlinkRequest.of(Netlink.RTM_GETADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP)
                .ifaddrmsg(family, 0, 0, 0, 0);
    }

    static Address parse(NetlinkMessage message) {
        ByteBuffer payload = message.payload();
        int prefix = payload.get(1) & 0xff;
        int index = payload.getInt(4);
        Attributes attributes = message.attributes(IFADDRMSG_LENGTH);
        var local = attributes.address(IFA_LOCAL);
        var address = local != null ? local : attributes.address(IFA_ADDRESS);
        return new Address(index, new Cidr(address, prefix), attributes.string(IFA_LABEL));
    }

}
