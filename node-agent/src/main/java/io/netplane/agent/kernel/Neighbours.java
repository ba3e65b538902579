package io.netplane.agent.kernel;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Static forwarding entries of a VXLAN device and neighbour (ARP) entries (rtnetlink RTM_*NEIGH, family
 * AF_BRIDGE for the FDB, AF_INET for ARP). Each method says the {@code bridge}/{@code ip} command it equals.
 */
public final class Neighbours {
    static final short RTM_NEWNEIGH = 28;
    static final short RTM_DELNEIGH = 29;
    static final short RTM_GETNEIGH = 30;
    static final int NLM_F_REPLACE = 0x100;
    static final int NDMSG_LENGTH = 12;
    static final int NDA_DST = 1;
    static final int NDA_LLADDR = 2;
    public static final int NUD_PERMANENT = 0x80;
    public static final int NTF_SELF = 0x02;
    static final byte AF_BRIDGE = 7;

    private final NetlinkSocket socket;

    public Neighbours(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Equivalent to {@code bridge fdb replace MAC dev NAME dst DESTINATION self permanent}: frames to MAC leave the
     * VXLAN device towards that remote. Replace, not append: one MAC lives on one node, and a MAC that moved gets
     * its new remote instead of a second one (append would flood to both). Idempotent.
     */
    public void replaceFdb(int index, String name, String mac, Inet4Address destination) {
        socket.execute("add fdb " + mac + " dst " + destination.getHostAddress() + " to " + name,
                replaceFdbRequest(index, mac, destination));
    }

    /**
     * Equivalent to {@code bridge fdb del MAC dev NAME self}. Idempotent: true if deleted, false if there was no
     * such entry (ENOENT) or device (ENODEV).
     */
    public boolean deleteFdb(int index, String name, String mac) {
        try {
            socket.execute("delete fdb " + mac + " from " + name, deleteFdbRequest(index, mac));
            return true;
        } catch (KernelException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENODEV)) {
                return false;
            }
            throw e;
        }
    }

    /** Equivalent to {@code bridge fdb show dev NAME} (the device's own entries and its bridge's for it). */
    public List<FdbEntry> listFdb(int index) {
        return socket.dump("dump fdb", dumpFdbRequest(index)).stream()
                .filter(m -> m.type() == RTM_NEWNEIGH)
                .map(Neighbours::parseFdb)
                .filter(entry -> entry.index() == index)
                .toList();
    }

    /**
     * Equivalent to {@code ip neigh replace ADDRESS lladdr MAC dev NAME nud permanent}. On a VXLAN device with
     * {@code proxy}, the device answers ARP for ADDRESS itself (as Docker's overlay does), so no ARP broadcast
     * crosses the underlay. Idempotent.
     */
    public void replaceNeighbour(int index, String name, Inet4Address address, String mac) {
        socket.execute("add neighbour " + address.getHostAddress() + " lladdr " + mac + " to " + name,
                replaceNeighbourRequest(index, address, mac));
    }

    /**
     * Equivalent to {@code ip neigh del ADDRESS dev NAME}. Idempotent: true if deleted, false if there was no such
     * entry (ENOENT) or device (ENODEV).
     */
    public boolean deleteNeighbour(int index, String name, Inet4Address address) {
        try {
            socket.execute("delete neighbour " + address.getHostAddress() + " from " + name,
                    deleteNeighbourRequest(index, address));
            return true;
        } catch (KernelException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENODEV)) {
                return false;
            }
            throw e;
        }
    }

    /** Equivalent to {@code ip -4 neigh show dev NAME}. */
    public List<Neighbour> listNeighbours(int index) {
        return socket.dump("dump neighbours", dumpNeighboursRequest()).stream()
                .filter(m -> m.type() == RTM_NEWNEIGH)
                .map(Neighbours::parseNeighbour)
                .filter(n -> n.index() == index && n.address() instanceof Inet4Address)
                .toList();
    }

    static NetlinkRequest replaceFdbRequest(int index, String mac, Inet4Address destination) {
        return ndmsg(RTM_NEWNEIGH, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | NLM_F_REPLACE,
                AF_BRIDGE, index, NUD_PERMANENT, NTF_SELF)
                .attribute(NDA_LLADDR, Veth.macBytes(mac))
                .attribute(NDA_DST, destination.getAddress());
    }

    static NetlinkRequest deleteFdbRequest(int index, String mac) {
        return ndmsg(RTM_DELNEIGH, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, AF_BRIDGE, index, 0, NTF_SELF)
                .attribute(NDA_LLADDR, Veth.macBytes(mac));
    }

    static NetlinkRequest dumpFdbRequest(int index) {
        // as iproute2's `bridge fdb show dev`: an ifinfomsg whose index filters the dump to that device
        return NetlinkRequest.of(RTM_GETNEIGH, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP)
                .ifinfomsg(AF_BRIDGE, index, 0, 0);
    }

    static NetlinkRequest replaceNeighbourRequest(int index, Inet4Address address, String mac) {
        return ndmsg(RTM_NEWNEIGH, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | NLM_F_REPLACE,
                Netlink.AF_INET, index, NUD_PERMANENT, 0)
                .attribute(NDA_DST, address.getAddress())
                .attribute(NDA_LLADDR, Veth.macBytes(mac));
    }

    static NetlinkRequest deleteNeighbourRequest(int index, Inet4Address address) {
        return ndmsg(RTM_DELNEIGH, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, Netlink.AF_INET, index, 0, 0)
                .attribute(NDA_DST, address.getAddress());
    }

    static NetlinkRequest dumpNeighboursRequest() {
        return ndmsg(RTM_GETNEIGH, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, Netlink.AF_INET, 0, 0, 0);
    }

    /** struct ndmsg (12 bytes): family, 3 pad bytes, ifindex, state (u16), flags (u8), type (u8). */
    private static NetlinkRequest ndmsg(short type, int flags, byte family, int index, int state, int ntfFlags) {
        return NetlinkRequest.of(type, flags).ndmsg(family, index, state, ntfFlags);
    }

    static FdbEntry parseFdb(NetlinkMessage message) {
        ByteBuffer payload = message.payload();
        Attributes attributes = message.attributes(NDMSG_LENGTH);
        return new FdbEntry(payload.getInt(4), attributes.mac(NDA_LLADDR), attributes.address(NDA_DST),
                payload.getShort(8) & 0xffff, payload.get(10) & 0xff);
    }

    static Neighbour parseNeighbour(NetlinkMessage message) {
        ByteBuffer payload = message.payload();
        Attributes attributes = message.attributes(NDMSG_LENGTH);
        return new Neighbour(payload.getInt(4), attributes.address(NDA_DST), attributes.mac(NDA_LLADDR),
                payload.getShort(8) & 0xffff);
    }
}
