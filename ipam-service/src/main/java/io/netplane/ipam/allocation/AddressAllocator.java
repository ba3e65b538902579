package io.netplane.ipam.allocation;

import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.ipam.pool.Ipv4Address;
import io.netplane.ipam.pool.Ipv4Subnet;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Picks an endpoint's IPv4 address (docker-facts 6.6, 9.2): the lowest free one of the range, or the static
 * one asked for. The SQL functions of V2 keep it flat as the network fills; endpoints_address_key decides.
 */
@ApplicationScoped
public class AddressAllocator {
    static final String IN_USE = "Address already in use";

    /** The address for a new endpoint; empty when the network has no IPv4 subnet (host, none). */
    public Optional<EndpointAddress> assign(Connection c, Network network, String requested) throws SQLException {
        Optional<SubnetAllocation> ipv4 = network.subnets().stream().filter(s -> s.family() == Family.ipv4).findFirst();
        boolean isStatic = requested != null && !requested.isBlank();
        if (ipv4.isEmpty()) {
            return Optional.empty();
        }
        SubnetAllocation s = ipv4.get();
        Ipv4Subnet subnet = Ipv4Subnet.parse(s.subnet());
        String address;
        if (isStatic) {
            int ip = staticAddress(network, s, subnet, requested.trim());
            address = Ipv4Address.format(ip);
            try (PreparedStatement claim = c.prepareStatement("select claim_address(?, ?::inet)")) {
                claim.setString(1, network.id());
                claim.setString(2, address);
                claim.execute();
            }
        } else {
            try (PreparedStatement allocate = c.prepareStatement("select host(allocate_address(?))")) {
                allocate.setString(1, network.id());
                try (ResultSet row = allocate.executeQuery()) {
                    row.next();
                    address = row.getString(1);
                }
            } catch (SQLException e) {
                if ("P0002".equals(e.getSQLState())) {
                    throw new NetworkGone(network);
                }
                throw e;
            }
            if (address == null) {
                throw new RejectedIntent(409, "no available IPv4 addresses on this network's address pools: "
                        + network.name() + " (" + network.id() + ")");
            }
        }
        return Optional.of(new EndpointAddress(Family.ipv4, address, subnet.prefix(), s.gateway()));
    }

    /** The network was removed since it was looked up (a cached copy, or another replica's remove). */
    static final class NetworkGone extends RejectedIntent {
        final transient Network network;

        NetworkGone(Network network) {
            super(404, "network " + network.name() + " not found");
            this.network = network;
        }
    }

    /** Docker's checks of {@code --ip}, in its order; "taken" itself is the unique constraint's answer. */
    static int staticAddress(Network network, SubnetAllocation s, Ipv4Subnet subnet, String requested) {
        int ip;
        try {
            ip = Ipv4Address.parse(requested, requested);
        } catch (IllegalArgumentException e) {
            throw new RejectedIntent(400, "Invalid IPv4 address: " + requested + ")"); // sic, Docker's parenthesis
        }
        if (network.predefined()) {
            throw new RejectedIntent(400, "user specified IP address is supported on user defined networks only");
        }
        if (s.auto()) {
            throw new RejectedIntent(400, "user specified IP address is supported only when connecting to networks "
                    + "with user configured subnets");
        }
        if (!subnet.contains(ip)) {
            throw new RejectedIntent(400, "Invalid address " + requested
                    + ": It does not belong to any of this network's subnets");
        }
        if (ip == subnet.network() || ip == subnet.broadcast()
                || (s.gateway() != null && ip == Ipv4Address.parse(s.gateway()))) {
            throw new RejectedIntent(403, IN_USE);
        }
        return ip;
    }

    /** Docker's MAC: 02:42 and the four bytes of the IPv4 address (172.17.0.2 → 02:42:ac:11:00:02). */
    public static String mac(String ipv4) {
        int ip = Ipv4Address.parse(ipv4);
        return String.format("02:42:%02x:%02x:%02x:%02x", ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff);
    }
}
