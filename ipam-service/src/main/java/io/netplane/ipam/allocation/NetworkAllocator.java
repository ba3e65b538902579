package io.netplane.ipam.allocation;

import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.ipam.pool.Ipv4Address;
import io.netplane.ipam.pool.Ipv4Subnet;
import io.netplane.ipam.pool.Pools;
import jakarta.enterprise.context.ApplicationScoped;
import org.postgresql.util.PSQLException;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Creates and removes networks in the caller's transaction. Overlap and name uniqueness are decided by
 * PostgreSQL constraints (so replicas cannot collide); their violations become Docker's errors.
 */
@ApplicationScoped
public class NetworkAllocator {
    private static final Pattern NETWORK_ID = Pattern.compile("[0-9a-f]{64}");
    private static final String OVERLAP = "Pool overlaps with other one on this address space";

    private final NetworkStore store;
    private final SubnetPicker picker;
    private final Pools pools;

    public NetworkAllocator(NetworkStore store, SubnetPicker picker, Pools pools) {
        this.store = store;
        this.picker = picker;
        this.pools = pools;
    }

    public Network create(Connection c, NetworkCreateRequested request) throws SQLException {
        String id = request.networkId();
        if (id == null || !NETWORK_ID.matcher(id).matches()) {
            throw new RejectedIntent(400, "invalid network id " + id + ": 64 lowercase hex characters expected");
        }
        String name = request.name();
        if (name == null || name.isEmpty()) {
            throw new RejectedIntent(400, "invalid name: ");
        }
        String driver = request.driver() == null || request.driver().isEmpty() ? "bridge" : request.driver();
        checkDriver(driver);
        Optional<Network> sameName = store.findByName(c, name);
        if (sameName.isPresent()) {
            throw sameName.get().predefined()
                    ? new RejectedIntent(403, "operation is not permitted on predefined " + name + " network ")
                    : duplicateName(name);
        }
        Map<String, String> options = request.options() == null ? Map.of() : request.options();
        String bridge = BridgeName.of(id, options);
        Optional<UserSubnet> given = UserSubnet.from(request.ipam());
        SubnetAllocation subnet = given.isPresent() ? allocation(given.get())
                : automatic(picker.next(c, pools.forDriver(driver)));
        boolean overlay = "overlay".equals(driver);
        Network network = new Network(id, name, driver, overlay ? "swarm" : "local",
                List.of(subnet), request.internal(), request.attachable(), request.enableIpv6(), options,
                request.labels() == null ? Map.of() : request.labels(), overlay ? store.nextVni(c) : null, bridge,
                false, now());
        try {
            store.insert(c, network);
        } catch (SQLException e) {
            throw refusal(e, network);
        }
        return network;
    }

    /** The network to remove, checked; the caller deletes it and writes the outcome. */
    public Network remove(Connection c, String networkId) throws SQLException {
        Network network = store.find(c, networkId == null ? "" : networkId)
                .orElseThrow(() -> new RejectedIntent(404, "network " + networkId + " not found"));
        if (network.predefined()) {
            throw new RejectedIntent(403, network.name() + " is a pre-defined network and cannot be removed");
        }
        if (store.hasEndpoints(c, network.id())) {
            throw activeEndpoints(network);
        }
        try {
            store.delete(c, network.id());
        } catch (SQLException e) {
            if ("23503".equals(e.getSQLState())) {
                throw activeEndpoints(network); // an endpoint committed since the check
            }
            throw e;
        }
        return network;
    }

    private static RejectedIntent activeEndpoints(Network network) {
        return new RejectedIntent(403, "error while removing network: network " + network.name() + " id "
                + network.id() + " has active endpoints");
    }

    static void checkDriver(String driver) {
        switch (driver) {
            case "bridge", "overlay" -> { }
            case "host", "null" -> throw new RejectedIntent(403, "only one instance of \"" + driver + "\" network is allowed");
            default -> throw new RejectedIntent(404, "plugin \"" + driver + "\" not found");
        }
    }

    static SubnetAllocation allocation(UserSubnet given) {
        return new SubnetAllocation(Family.ipv4, given.subnet().toString(),
                Ipv4Address.format(given.effectiveGateway()),
                given.ipRange() == null ? null : given.ipRange().toString(), false, given.gateway() != null);
    }

    static SubnetAllocation automatic(Ipv4Subnet subnet) {
        return new SubnetAllocation(Family.ipv4, subnet.toString(), Ipv4Address.format(subnet.firstHost()), null,
                true, false);
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
    }

    private static RejectedIntent duplicateName(String name) {
        return new RejectedIntent(409, "network with name " + name + " already exists");
    }

    /** A constraint violation as the caller's error; anything else is rethrown. */
    private static RejectedIntent refusal(SQLException e, Network network) throws SQLException {
        if ("23P01".equals(e.getSQLState())) {
            return new RejectedIntent(403, OVERLAP);
        }
        if ("23505".equals(e.getSQLState()) && e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            String constraint = String.valueOf(p.getServerErrorMessage().getConstraint());
            switch (constraint) {
                case "networks_name_key":
                    return duplicateName(network.name());
                case "networks_pkey":
                    return new RejectedIntent(409, "network with id " + network.id() + " already exists");
                case "networks_bridge_key":
                    return new RejectedIntent(409, "bridge name " + network.bridge() + " is already used by another network");
                default:
                    break;
            }
        }
        throw e;
    }
}
