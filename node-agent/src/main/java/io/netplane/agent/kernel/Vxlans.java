package io.netplane.agent.kernel;

import java.net.InetAddress;
import java.util.Optional;

/** VXLAN devices (rtnetlink RTM_NEWLINK with kind "vxlan"). Each method says the {@code ip} command it equals. */
public final class Vxlans {
    // linux/if_link.h, IFLA_VXLAN_*
    static final int IFLA_VXLAN_ID = 1;
    static final int IFLA_VXLAN_LOCAL = 4;
    static final int IFLA_VXLAN_LEARNING = 7;
    static final int IFLA_VXLAN_PROXY = 11;
    static final int IFLA_VXLAN_PORT = 15; // __be16

    private final NetlinkSocket socket;
    private final Links links;

    public Vxlans(NetlinkSocket socket) {
        this.socket = socket;
        this.links = new Links(socket);
    }

    /**
     * Creates a marked VXLAN device on its bridge, up. Equivalent to {@code ip link add NAME [mtu MTU] type vxlan
     * id VNI local LOCAL dstport 4789 nolearning [proxy]}, {@code ip link set NAME alias ALIAS} (the kernel
     * ignores IFLA_IFALIAS on create), then {@code ip link set NAME master BRIDGE up}. A failed alias or
     * enslave deletes the device again.
     */
    public Link create(Vxlan vxlan, String alias) {
        socket.execute("create vxlan " + vxlan.name() + " (VNI " + vxlan.vni() + ")", newVxlan(vxlan));
        Link created = links.get(vxlan.name()).orElseThrow(() ->
                new KernelException("create vxlan " + vxlan.name(), Errno.ENODEV, "gone right after it was created"));
        try {
            links.setAlias(created.index(), vxlan.name(), alias);
            socket.execute("set " + vxlan.name() + " up" + (vxlan.master() > 0 ? " on its bridge" : ""),
                    Links.setMasterUpRequest(created.index(), vxlan.master()));
        } catch (KernelException e) {
            try {
                links.delete(created.index(), vxlan.name());
            } catch (KernelException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return links.get(vxlan.name()).orElse(created);
    }

    /** Equivalent to {@code ip link set dev NAME master BRIDGE up}. */
    public void setMasterUp(int index, String name, int master) {
        socket.execute("set " + name + " up on its bridge", Links.setMasterUpRequest(index, master));
    }

    /** Equivalent to {@code ip -d link show dev NAME} for a VXLAN device; empty when there is no such link. */
    public Optional<VxlanInfo> get(String name) {
        try {
            return Optional.of(parse(socket.get("get link " + name, Links.getByNameRequest(name))));
        } catch (KernelException e) {
            if (e.is(Errno.ENODEV)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static NetlinkRequest newVxlan(Vxlan vxlan) {
        NetlinkRequest request = NetlinkRequest.of(Netlink.RTM_NEWLINK,
                        Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .ifinfomsg(Netlink.AF_UNSPEC, 0, 0, 0)
                .string(Links.IFLA_IFNAME, vxlan.name());
        if (vxlan.mtu() > 0) {
            request.u32(Links.IFLA_MTU, vxlan.mtu());
        }
        int linkInfo = request.begin(Links.IFLA_LINKINFO);
        request.string(Links.IFLA_INFO_KIND, "vxlan");
        int data = request.begin(Links.IFLA_INFO_DATA);
        request.u32(IFLA_VXLAN_ID, vxlan.vni());
        request.attribute(IFLA_VXLAN_LOCAL, vxlan.local().getAddress());
        request.attribute(IFLA_VXLAN_LEARNING, new byte[] {0});
        if (vxlan.proxy()) {
            request.attribute(IFLA_VXLAN_PROXY, new byte[] {1});
        }
        request.attribute(IFLA_VXLAN_PORT, new byte[] {(byte) (vxlan.port() >> 8), (byte) vxlan.port()});
        request.end(data);
        return request.end(linkInfo);
    }

    static VxlanInfo parse(NetlinkMessage message) {
        Link link = Links.parse(message);
        Attributes data = message.attributes(Links.IFINFOMSG_LENGTH).nested(Links.IFLA_LINKINFO)
                .nested(Links.IFLA_INFO_DATA);
        InetAddress local = data.address(IFLA_VXLAN_LOCAL);
        int port = data.u16be(IFLA_VXLAN_PORT, 0);
        return new VxlanInfo(link, data.u32(IFLA_VXLAN_ID, 0), local, port, data.u8(IFLA_VXLAN_LEARNING, 1) != 0,
                data.u8(IFLA_VXLAN_PROXY, 0) != 0);
    }
}
