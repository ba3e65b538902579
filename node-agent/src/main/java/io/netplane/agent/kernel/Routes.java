package io.netplane.agent.kernel;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;

/** Routes (rtnetlink RTM_*ROUTE). Each method says the {@code ip} command it equals. */
public final class Routes {
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_PREFSRC = 7;
    static final int RTA_TABLE = 15;
    static final int RTMSG_LENGTH = 12;
    static final int RTPROT_BOOT = 3;
    static final int RT_SCOPE_UNIVERSE = 0;
    static final int RT_SCOPE_NOWHERE = 255;

    private final NetlinkSocket socket;

    public Routes(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Equivalent to {@code ip route add default via GATEWAY dev NAME}. Idempotent: a default route that is
     * already there (EEXIST) counts as added; returns false then.
     */
    public boolean addDefault(InetAddress gateway, int index, String name) {
        try {
            socket.execute("add default route via " + gateway.getHostAddress() + " dev " + name,
                    addDefaultRequest(gateway, index));
            return true;
        } catch (KernelException e) {
            if (e.is(Errno.EEXIST)) {
                return false;
            }
            throw e;
        }
    }

    static NetlinkRequest addDefaultRequest(InetAddress gateway, int index) {
        byte[] bytes = gateway.getAddress();
        return NetlinkRequest.of(Netlink.RTM_NEWROUTE,
                        Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .rtmsg(bytes.length == 4 ? Netlink.AF_INET : Netlink.AF_INET6, 0, Route.RT_TABLE_MAIN, RTPROT_BOOT,
                        RT_SCOPE_UNIVERSE, Route.RTN_UNICAST)
                .attribute(RTA_GATEWAY, bytes)
                .u32(RTA_OIF, index);
    }

    /**
     * Equivalent to {@code ip route replace default via GATEWAY dev NAME}: the default route of metric 0 leaves
     * by this gateway from now on, in one message (the one it replaces is never missing in between).
     */
    public void replaceDefault(InetAddress gateway, int index, String name) {
        socket.execute("replace default route via " + gateway.getHostAddress() + " dev " + name,
                replaceDefaultRequest(gateway, index));
    }

    static NetlinkRequest replaceDefaultRequest(InetAddress gateway, int index) {
        byte[] bytes = gateway.getAddress();
        return NetlinkRequest.of(Netlink.RTM_NEWROUTE,
                        Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE)
                .rtmsg(bytes.length == 4 ? Netlink.AF_INET : Netlink.AF_INET6, 0, Route.RT_TABLE_MAIN, RTPROT_BOOT,
                        RT_SCOPE_UNIVERSE, Route.RTN_UNICAST)
                .attribute(RTA_GATEWAY, bytes)
                .u32(RTA_OIF, index);
    }

    /**
     * Equivalent to {@code ip -4 route del default [via GATEWAY] [dev INDEX] [metric PRIORITY] table main}, for a
     * default route of a dump. Idempotent: a route that is not there (ESRCH) counts as deleted; returns false then.
     */
    public boolean deleteDefault(Route route) {
        try {
            socket.execute("delete default route" + (route.gateway() == null ? "" : " via " + route.gateway().getHostAddress())
                    + (route.outputIndex() == 0 ? "" : " dev " + route.outputIndex())
                    + (route.priority() == 0 ? "" : " metric " + route.priority()), deleteDefaultRequest(route));
            return true;
        } catch (KernelException e) {
            if (e.is(Errno.ESRCH)) {
                return false;
            }
            throw e;
        }
    }

    static NetlinkRequest deleteDefaultRequest(Route route) {
        // protocol 0, scope NOWHERE and type 0 match any (as ip route del sends them)
        NetlinkRequest request = NetlinkRequest.of(Netlink.RTM_DELROUTE, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .rtmsg(Netlink.AF_INET, 0, Route.RT_TABLE_MAIN, 0, RT_SCOPE_NOWHERE, 0);
        if (route.gateway() != null) {
            request.attribute(RTA_GATEWAY, route.gateway().getAddress());
        }
        if (route.outputIndex() != 0) {
            request.u32(RTA_OIF, route.outputIndex());
        }
        if (route.priority() != 0) {
            request.u32(RTA_PRIORITY, route.priority());
        }
        return request;
    }

    /** Equivalent to {@code ip -4 route show table main}. */
    public List<Route> listIpv4Main() {
        return socket.dump("dump IPv4 routes", dumpRequest(Netlink.AF_INET)).stream()
                .filter(m -> m.type() == Netlink.RTM_NEWROUTE)
                .map(Routes::parse)
                .filter(r -> r.table() == Route.RT_TABLE_MAIN)
                .toList();
    }

    static NetlinkRequest dumpRequest(byte family) {
        return NetlinkRequest.of(Netlink.RTM_GETROUTE, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP)
                .rtmsg(family, 0, 0, 0, 0, 0);
    }

    static Route parse(NetlinkMessage message) {
        ByteBuffer payload = message.payload();
        int family = payload.get(0) & 0xff;
        int dstLength = payload.get(1) & 0xff;
        int table = payload.get(4) & 0xff;
        int protocol = payload.get(5) & 0xff;
        int scope = payload.get(6) & 0xff;
        int type = payload.get(7) & 0xff;
        Attributes attributes = message.attributes(RTMSG_LENGTH);
        InetAddress dst = attributes.address(RTA_DST);
        Cidr destination;
        if (dst != null) {
            destination = new Cidr(dst, dstLength);
        } else if (dstLength == 0) {
            destination = null; // default route
        } else {
            throw new IllegalArgumentException("route of /" + dstLength + " without RTA_DST");
        }
        if (destination == null && family == Netlink.AF_INET) {
            destination = new Cidr(Cidr.literal("0.0.0.0"), 0);
        }
        return new Route(destination, attributes.address(RTA_GATEWAY), attributes.u32(RTA_OIF, 0),
                attributes.u32(RTA_TABLE, table), protocol, scope, type, attributes.address(RTA_PREFSRC),
                attributes.u32(RTA_PRIORITY, 0));
    }

}
