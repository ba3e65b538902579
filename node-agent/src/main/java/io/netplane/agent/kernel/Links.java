package io.netplane.agent.kernel;

import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/** Network interfaces (rtnetlink RTM_*LINK). Each method says the {@code ip} command it equals. */
public final class Links {
    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_LINK = 5;
    static final int IFLA_PROTINFO = 12;
    static final int IFLA_GROUP = 27;
    static final int IFLA_NET_NS_FD = 28;
    static final int IFLA_NUM_TX_QUEUES = 31;
    static final int IFLA_NUM_RX_QUEUES = 32;
    static final int IFLA_AF_SPEC = 26;
    static final int AF_INET6 = 10;
    static final int IFLA_INET6_ADDR_GEN_MODE = 8;
    static final byte IN6_ADDR_GEN_MODE_NONE = 1;
    static final int IFLA_BRPORT_MODE = 4;
    static final int NLA_F_NESTED = 0x8000;
    static final byte AF_BRIDGE = 7;
    static final int IFLA_INFO_DATA = 2;
    static final int VETH_INFO_PEER = 1;
    static final int IFLA_MASTER = 10;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_IFALIAS = 20;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_BR_MCAST_SNOOPING = 23;
    static final int IFINFOMSG_LENGTH = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final NetlinkSocket socket;

    public Links(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Creates a bridge and marks it. Equivalent to {@code ip link add name NAME address MAC type bridge
     * mcast_snooping 0} (MAC random, locally administered) then {@code ip link set NAME alias ALIAS}: the kernel
     * ignores IFLA_IFALIAS in a create request
     * (rtnl_create_link does not read it; checked on 6.18), so the alias is a second message, and the
     * bridge is deleted again if that fails.
     *
     * <p>Multicast snooping off: with it on, every port that comes up or goes down restarts two query timers on
     * every port of the bridge (br_port_state_selection → br_multicast_enable_port), under rtnl — O(ports) per
     * attach and detach. Without a querier on the network (netplane runs none, nor does Docker) a snooping bridge
     * floods multicast anyway, so forwarding is the same.
     *
     * <p>A MAC of its own (as Docker gives its bridges): otherwise the bridge takes the lowest MAC of its ports,
     * so the gateway's MAC changes when a port with a lower one joins or leaves, and each join and leave scans all
     * ports for it (br_stp_recalculate_bridge_id).
     */
    public Link createBridge(String name, String alias) {
        socket.execute("create bridge " + name, newBridge(name, randomMac()));
        Link created = get(name).orElseThrow(() ->
                new KernelException("create bridge " + name, Errno.ENODEV, "gone right after it was created"));
        try {
            setAlias(created.index(), name, alias);
        } catch (KernelException e) {
            try {
                delete(created.index(), name);
            } catch (KernelException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return get(name).orElse(created);
    }

    /**
     * Creates a veth pair whose peer is born inside another namespace, named there ({@code peer.name()}), so
     * nothing is moved (a move costs ~30 ms; this costs ~1). Equivalent to {@code ip link add NAME mtu MTU
     * numtxqueues 1 numrxqueues 1 type veth peer name PEER netns NS address MAC mtu MTU numtxqueues 1
     * numrxqueues 1}, {@code ip link set NAME alias ALIAS} (the kernel
     * ignores IFLA_IFALIAS on create), {@code sysctl -w net.ipv6.conf.NAME.disable_ipv6=1}, then
     * {@code ip link set NAME master BRIDGE up}. The peer stays down (IFF_UP on
     * it at creation gives ENOTCONN: the kernel configures it before the pair is linked). A failed alias or
     * enslave deletes the pair again.
     */
    public Link createVeth(Veth veth, String alias) {
        // created down and off the bridge, marked, IPv6 off, then enslaved and up in one message: at 1,000 ports
        // this halves the create (4.3 -> 2.5 ms; AttachProfileTest)
        socket.execute("create veth " + veth.name(), newVeth(new Veth(veth.name(), 0, veth.mtu(), veth.peerName(),
                veth.peerNamespaceFd(), veth.peerMac()), false));
        Link created = get(veth.name()).orElseThrow(() ->
                new KernelException("create veth " + veth.name(), Errno.ENODEV, "gone right after it was created"));
        try {
            setAlias(created.index(), veth.name(), alias);
            // a bridge port needs no IPv6 of its own; with it, each port adds its fe80::/64, ff00::/8 and local
            // routes to the host's IPv6 table, which every link event walks (fib6_ifdown): O(ports) per attach
            Sysctl.write("net/ipv6/conf/" + veth.name() + "/disable_ipv6", "1");
            socket.execute("set " + veth.name() + " up" + (veth.master() > 0 ? " on its bridge" : ""),
                    setMasterUpRequest(created.index(), veth.master()));
            if (veth.master() > 0) {
                created = new Link(created.index(), created.name(), created.kind(), alias,
                        created.flags() | Link.IFF_UP, veth.master(), created.link(), created.mac(), created.mtu());
            }
        } catch (KernelException e) {
            try {
                delete(created.index(), veth.name());
            } catch (KernelException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return new Link(created.index(), created.name(), created.kind(), alias, created.flags() | Link.IFF_UP, created.master(),
                created.link(), created.mac(), created.mtu());
    }

    /**
     * Equivalent to {@code bridge link set dev NAME hairpin on}: the bridge may send a frame back out of the
     * port it came in by. With br_netfilter loaded, a sandbox reaching its own published port is DNATed at the
     * bridge and sent back to its own port (Docker sets it too when it runs without its proxy).
     */
    public void setHairpin(int index, String name) {
        socket.execute("set hairpin on " + name, setHairpinRequest(index));
    }

    /** Equivalent to {@code ip link set dev NAME alias ALIAS}. */
    public void setAlias(int index, String name, String alias) {
        socket.execute("set alias of " + name, setAliasRequest(index, alias));
    }

    /**
     * Equivalent to {@code ip link set dev NAME addrgenmode none}: brought up later, the link makes no IPv6
     * link-local address, so it sends no DAD, MLD report or router solicitation. Unlike the disable_ipv6 sysctl
     * it needs no path under /proc/sys/net, whose lookup walks one dentry per namespace that ever opened it.
     */
    public void setNoIpv6LinkLocal(int index, String name) {
        socket.execute("set addrgenmode none on " + name, noIpv6LinkLocalRequest(index));
    }

    /** Equivalent to {@code ip link set dev NAME up}. */
    public void setUp(int index, String name) {
        socket.execute("set " + name + " up", setUpRequest(index));
    }

    /**
     * Equivalent to {@code ip link set dev NAME nomaster down} (by name), in one message: the port leaves its
     * bridge (IFLA_MASTER 0) and goes down, so neither end of a veth has a carrier. Idempotent: true if it was
     * there, false if there is no such link.
     */
    public boolean setDownOffBridgeByName(String name) {
        return setDownOffBridgeByName(name, 0);
    }

    /**
     * {@link #setDownOffBridgeByName(String)} that also puts the link in link group {@code group}
     * ({@code ip link set dev NAME nomaster down group GROUP}, same one message), so {@link #deleteGroup} can delete
     * it together with others; group 0 (the default group) leaves the group as it is.
     */
    public boolean setDownOffBridgeByName(String name, int group) {
        try {
            socket.execute("set " + name + " nomaster down" + (group == 0 ? "" : " group " + group),
                    setDownOffBridgeByNameRequest(name, group));
            return true;
        } catch (KernelException e) {
            if (e.is(Errno.ENODEV)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Equivalent to {@code ip link del group GROUP}: every link of the group in one request, so the kernel's device
     * teardown (RCU grace periods, under rtnl) is paid once for all of them. False if no link is in the group.
     */
    public boolean deleteGroup(int group) {
        if (group == 0) {
            throw new IllegalArgumentException("group 0 is every link's default group");
        }
        try {
            socket.execute("delete link group " + group, deleteGroupRequest(group));
            return true;
        } catch (KernelException e) {
            if (e.is(Errno.ENODEV)) {
                return false;
            }
            throw e;
        }
    }

    /** Equivalent to {@code ip link del dev NAME} (by index). */
    public void delete(int index, String name) {
        socket.execute("delete link " + name, deleteRequest(index));
    }

    /** Equivalent to {@code ip link del dev NAME}. Idempotent: true if deleted, false if there was no such link. */
    public boolean deleteByName(String name) {
        try {
            socket.execute("delete link " + name, deleteByNameRequest(name));
            return true;
        } catch (KernelException e) {
            if (e.is(Errno.ENODEV)) {
                return false;
            }
            throw e;
        }
    }

    /** Equivalent to {@code ip -d link show dev NAME}; empty when there is no such link. */
    public Optional<Link> get(String name) {
        try {
            return Optional.of(parse(socket.get("get link " + name, getByNameRequest(name))));
        } catch (KernelException e) {
            if (e.is(Errno.ENODEV)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Equivalent to {@code ip -d link show}. */
    public List<Link> list() {
        return socket.dump("dump links", dumpRequest()).stream()
                .filter(m -> m.type() == Netlink.RTM_NEWLINK)
                .map(Links::parse)
                .toList();
    }

    static NetlinkRequest newBridge(String name, byte[] mac) {
        NetlinkRequest request = NetlinkRequest.of(Netlink.RTM_NEWLINK,
                        Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .ifinfomsg(Netlink.AF_UNSPEC, 0, 0, 0)
                .string(IFLA_IFNAME, name)
                .attribute(IFLA_ADDRESS, mac);
        int linkInfo = request.begin(IFLA_LINKINFO);
        request.string(IFLA_INFO_KIND, "bridge");
        int data = request.begin(IFLA_INFO_DATA);
        request.attribute(IFLA_BR_MCAST_SNOOPING, new byte[] {0});
        request.end(data);
        return request.end(linkInfo);
    }

    /** A random unicast, locally administered MAC (02:…), as the kernel's eth_random_addr makes. */
    static byte[] randomMac() {
        byte[] mac = new byte[6];
        RANDOM.nextBytes(mac);
        mac[0] = (byte) ((mac[0] & 0xfe) | 0x02);
        return mac;
    }

    static NetlinkRequest newVeth(Veth veth) {
        return newVeth(veth, true);
    }

    static NetlinkRequest newVeth(Veth veth, boolean up) {
        NetlinkRequest request = NetlinkRequest.of(Netlink.RTM_NEWLINK,
                        Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .ifinfomsg(Netlink.AF_UNSPEC, 0, up ? Link.IFF_UP : 0, up ? Link.IFF_UP : 0)
                .string(IFLA_IFNAME, veth.name());
        if (veth.mtu() > 0) {
            request.u32(IFLA_MTU, veth.mtu());
        }
        if (veth.master() > 0) {
            request.u32(IFLA_MASTER, veth.master());
        }
        // one queue each way, asked for: without it veth allocates one per CPU and then cuts each end down to one
        // after registering it (veth_init_queues), and every cut waits for an expedited RCU grace period under rtnl
        singleQueue(request);
        int linkInfo = request.begin(IFLA_LINKINFO);
        request.string(IFLA_INFO_KIND, "veth");
        int data = request.begin(IFLA_INFO_DATA);
        int peer = request.begin(VETH_INFO_PEER);
        request.ifinfomsg(Netlink.AF_UNSPEC, 0, 0, 0).string(IFLA_IFNAME, veth.peerName());
        singleQueue(request);
        if (veth.peerNamespaceFd() >= 0) {
            request.u32(IFLA_NET_NS_FD, veth.peerNamespaceFd());
        }
        if (veth.peerMac() != null) {
            request.attribute(IFLA_ADDRESS, Veth.macBytes(veth.peerMac()));
        }
        if (veth.mtu() > 0) {
            request.u32(IFLA_MTU, veth.mtu());
        }
        request.end(peer);
        request.end(data);
        return request.end(linkInfo);
    }

    private static void singleQueue(NetlinkRequest request) {
        request.u32(IFLA_NUM_TX_QUEUES, 1).u32(IFLA_NUM_RX_QUEUES, 1);
    }

    static NetlinkRequest setAliasRequest(int index, String alias) {
        // iproute2 sends the alias without its NUL; the kernel stores exactly the given bytes
        return NetlinkRequest.of(Netlink.RTM_NEWLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(Netlink.AF_UNSPEC, index, 0, 0)
                .attribute(IFLA_IFALIAS, alias.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static NetlinkRequest setHairpinRequest(int index) {
        // RTM_SETLINK: only it reaches the bridge's handler; RTM_NEWLINK acks and ignores IFLA_PROTINFO
        NetlinkRequest request = NetlinkRequest.of(Netlink.RTM_SETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(AF_BRIDGE, index, 0, 0);
        int protinfo = request.begin(IFLA_PROTINFO | NLA_F_NESTED); // nested: the kernel reads the old form as a port state
        request.attribute(IFLA_BRPORT_MODE, new byte[] {1});
        return request.end(protinfo);
    }

    static NetlinkRequest setMasterUpRequest(int index, int master) {
        NetlinkRequest request = NetlinkRequest.of(Netlink.RTM_NEWLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(Netlink.AF_UNSPEC, index, Link.IFF_UP, Link.IFF_UP);
        return master > 0 ? request.u32(IFLA_MASTER, master) : request; // the kernel enslaves before it sets flags
    }

    static NetlinkRequest noIpv6LinkLocalRequest(int index) {
        NetlinkRequest request = NetlinkRequest.of(Netlink.RTM_NEWLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(Netlink.AF_UNSPEC, index, 0, 0);
        int afSpec = request.begin(IFLA_AF_SPEC);
        int inet6 = request.begin(AF_INET6);
        request.attribute(IFLA_INET6_ADDR_GEN_MODE, new byte[] {IN6_ADDR_GEN_MODE_NONE});
        request.end(inet6);
        return request.end(afSpec);
    }

    static NetlinkRequest setUpRequest(int index) {
        return NetlinkRequest.of(Netlink.RTM_NEWLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(Netlink.AF_UNSPEC, index, Link.IFF_UP, Link.IFF_UP);
    }

    static NetlinkRequest setDownOffBridgeByNameRequest(String name) {
        return setDownOffBridgeByNameRequest(name, 0);
    }

    static NetlinkRequest setDownOffBridgeByNameRequest(String name, int group) {
        NetlinkRequest request = NetlinkRequest.of(Netlink.RTM_NEWLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(Netlink.AF_UNSPEC, 0, 0, Link.IFF_UP)
                .string(IFLA_IFNAME, name)
                .u32(IFLA_MASTER, 0); // iproute2's nomaster
        return group == 0 ? request : request.u32(IFLA_GROUP, group);
    }

    static NetlinkRequest deleteGroupRequest(int group) {
        return NetlinkRequest.of(Netlink.RTM_DELLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(Netlink.AF_UNSPEC, 0, 0, 0)
                .u32(IFLA_GROUP, group);
    }

    static NetlinkRequest deleteRequest(int index) {
        return NetlinkRequest.of(Netlink.RTM_DELLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(Netlink.AF_UNSPEC, index, 0, 0);
    }

    static NetlinkRequest deleteByNameRequest(String name) {
        return NetlinkRequest.of(Netlink.RTM_DELLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(Netlink.AF_UNSPEC, 0, 0, 0)
                .string(IFLA_IFNAME, name);
    }

    static NetlinkRequest getByNameRequest(String name) {
        return NetlinkRequest.of(Netlink.RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .ifinfomsg(Netlink.AF_UNSPEC, 0, 0, 0)
                .string(IFLA_IFNAME, name);
    }

    static NetlinkRequest dumpRequest() {
        return NetlinkRequest.of(Netlink.RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP)
                .ifinfomsg(Netlink.AF_UNSPEC, 0, 0, 0);
    }

    static Link parse(NetlinkMessage message) {
        var payload = message.payload();
        int index = payload.getInt(4);
        int flags = payload.getInt(8);
        Attributes attributes = message.attributes(IFINFOMSG_LENGTH);
        return new Link(index, attributes.string(IFLA_IFNAME),
                attributes.nested(IFLA_LINKINFO).string(IFLA_INFO_KIND),
                attributes.string(IFLA_IFALIAS), flags, attributes.u32(IFLA_MASTER, 0),
                attributes.u32(IFLA_LINK, 0), attributes.mac(IFLA_ADDRESS), attributes.u32(IFLA_MTU, 0));
    }
}
