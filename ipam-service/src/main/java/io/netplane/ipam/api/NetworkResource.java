package io.netplane.ipam.api;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.data.Network;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.ipam.allocation.NetworkStore;
import io.netplane.ipam.pool.Ipv4Subnet;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code GET /ipam/networks/{id}} (id or name): the network as ipam holds it, and each subnet's utilisation. */
@Path("/ipam/networks")
@Produces(MediaType.APPLICATION_JSON)
public class NetworkResource {

    /** Addresses of a subnet: usable hosts, how many are allocated (endpoints and the gateway), how many free. */
    public record SubnetUsage(String family, String subnet, String gateway, String ipRange, boolean auto,
                              boolean gatewayGiven, long addresses, long allocated, long free, double utilisation) {
    }

    /** An allocated address and who owns it. */
    public record Allocation(String address, String mac, String endpointId, String sandboxId, String sandboxName,
                             String node, String ifname) {
    }

    public record NetworkUsage(Network network, List<SubnetUsage> subnets, List<Allocation> addresses) {
    }

    private final AgroalDataSource dataSource;
    private final NetworkStore store;

    public NetworkResource(AgroalDataSource dataSource, NetworkStore store) {
        this.dataSource = dataSource;
        this.store = store;
    }

    @GET
    public List<Network> all() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return store.all(c);
        }
    }

    @GET
    @Path("{id}")
    public Response one(@PathParam("id") String id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<Network> network = id.length() == 64 ? store.find(c, id) : Optional.empty();
            if (network.isEmpty()) {
                network = store.findByName(c, id);
            }
            if (network.isEmpty()) {
                return Response.status(404).type(MediaType.APPLICATION_JSON)
                        .entity(Map.of("message", "network " + id + " not found")).build();
            }
            List<Allocation> allocations = allocations(c, network.get().id());
            return Response.ok(new NetworkUsage(network.get(), network.get().subnets().stream()
                    .map(s -> usage(s, allocations.size())).toList(), allocations)).build();
        }
    }

    private static List<Allocation> allocations(Connection c, String networkId) throws SQLException {
        List<Allocation> all = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("select host(e.address), e.mac, e.id, e.sandbox_id, "
                + "s.name, e.node, e.ifname from endpoints e join sandboxes s on s.id = e.sandbox_id "
                + "where e.network_id = ? and e.address is not null order by e.address")) {
            select.setString(1, networkId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    all.add(new Allocation(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                            row.getString(5), row.getString(6), row.getString(7)));
                }
            }
        }
        return all;
    }

    static SubnetUsage usage(SubnetAllocation s, long endpoints) {
        Ipv4Subnet subnet = Ipv4Subnet.parse(s.subnet());
        // network and broadcast addresses are never handed out (the range's own first address may be: 9.2)
        long addresses = subnet.size() - 2;
        long allocated = (s.gateway() == null ? 0 : 1) + endpoints;
        return new SubnetUsage(s.family().name(), s.subnet(), s.gateway(), s.ipRange(), s.auto(), s.gatewayGiven(),
                addresses, allocated, addresses - allocated, addresses == 0 ? 1.0 : (double) allocated / addresses);
    }
}
