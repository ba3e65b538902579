package io.netplane.ipam.allocation;

import io.netplane.events.data.PortBinding;
import io.netplane.ipam.IpamSettings;
import io.netplane.ipam.pool.Ipv4Address;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Host ports per node, protocol and host IP (docker-facts 7). A taken explicit port is refused by the
 * exclusion constraint port_bindings_no_conflict (0.0.0.0 overlaps every address of the node); an ephemeral
 * one is the lowest port of the range that no binding of the node uses.
 */
@ApplicationScoped
public class PortAllocator {
    private final SandboxStore store;
    private final int first;
    private final int last;

    public PortAllocator(SandboxStore store, IpamSettings settings) {
        this.store = store;
        this.first = settings.ephemeralPorts().first();
        this.last = settings.ephemeralPorts().last();
    }

    /** Binds every port of {@code requested} for the endpoint; returns them with the host ports chosen. */
    public List<PortBinding> bind(Connection c, String node, String endpointId, List<PortBinding> requested)
            throws SQLException {
        List<PortBinding> bound = new ArrayList<>();
        for (PortBinding p : requested == null ? List.<PortBinding>of() : requested) {
            PortBinding wanted = normalize(p);
            boolean ephemeral = wanted.hostPort() == 0;
            PortBinding binding = ephemeral ? withPort(wanted, ephemeral(c, node, wanted)) : wanted;
            var before = c.setSavepoint();
            try {
                store.insertPort(c, endpointId, node, binding, ephemeral);
                c.releaseSavepoint(before);
            } catch (SQLException e) {
                if (!"23P01".equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(before);
                if (ephemeral) {
                    // an explicit binding of another transaction took it meanwhile: retry the batch
                    throw new SQLException("ephemeral port " + binding.hostPort() + " was taken meanwhile", "40001", e);
                }
                throw new RejectedIntent(409, "Bind for " + binding.hostIp() + ":" + binding.hostPort()
                        + " failed: port is already allocated");
            }
            bound.add(binding);
        }
        return bound;
    }

    private int ephemeral(Connection c, String node, PortBinding p) throws SQLException {
        try (PreparedStatement allocate = c.prepareStatement("select allocate_port(?, ?, ?, ?)")) {
            allocate.setString(1, node);
            allocate.setString(2, p.protocol());
            allocate.setInt(3, first);
            allocate.setInt(4, last);
            try (ResultSet row = allocate.executeQuery()) {
                row.next();
                int port = row.getInt(1);
                if (row.wasNull()) {
                    throw new RejectedIntent(409, "Bind for " + p.hostIp() + ":0 failed: all ports are allocated ("
                            + first + "-" + last + ", " + p.protocol() + ", node " + node + ")");
                }
                return port;
            }
        }
    }

    /** tcp by default, lower case; host IP 0.0.0.0 when none is given; numbers in range. */
    static PortBinding normalize(PortBinding p) {
        String protocol = p.protocol() == null || p.protocol().isBlank() ? "tcp" : p.protocol().toLowerCase(Locale.ROOT);
        if (!List.of("tcp", "udp", "sctp").contains(protocol)) {
            throw new RejectedIntent(400, "invalid proto '" + p.protocol() + "': tcp, udp or sctp");
        }
        String hostIp = p.hostIp() == null || p.hostIp().isBlank() ? "0.0.0.0" : p.hostIp().trim();
        if (!hostIp.equals("::")) {
            try {
                hostIp = Ipv4Address.format(Ipv4Address.parse(hostIp, hostIp));
            } catch (IllegalArgumentException e) {
                throw new RejectedIntent(400, "invalid host IP " + hostIp + " for published port " + p.containerPort());
            }
        }
        if (p.containerPort() < 1 || p.containerPort() > 65535) {
            throw new RejectedIntent(400, "Invalid containerPort: " + p.containerPort());
        }
        if (p.hostPort() < 0 || p.hostPort() > 65535) {
            throw new RejectedIntent(400, "Invalid hostPort: " + p.hostPort());
        }
        return new PortBinding(protocol, hostIp, p.hostPort(), p.containerPort());
    }

    private static PortBinding withPort(PortBinding p, int hostPort) {
        return new PortBinding(p.protocol(), p.hostIp(), hostPort, p.containerPort());
    }
}
